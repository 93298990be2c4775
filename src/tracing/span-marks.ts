import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { InputRequiredError, McpError, type ToolCallInfo, type ToolCallSettled } from '../mcp/index.js';
import { JsonRpcErrorCode } from '../protocol/index.js';
import { cutPeerText } from '../transport/index.js';

/** Not an OpenTelemetry convention: this server's own outcome of the call, as `toolCalls$` and the metrics name it. */
export const OUTCOME_ATTRIBUTE = 'nexus_mcp.tool_call.outcome';

/** What a registered tool's name may be: a name the client made up beyond this is not a span name. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The span's name under the OpenTelemetry MCP conventions, `{mcp.method.name} {gen_ai.tool.name}`;
 * plain `tools/call` when the name could not be a tool's (span names must stay few).
 */
export function spanName(toolName: string): string {
  return TOOL_NAME.test(toolName) ? `tools/call ${toolName}` : 'tools/call';
}

/** The attributes known when the call starts (MCP server span conventions). */
export function startAttributes(call: ToolCallInfo): Attributes {
  const attributes: Attributes = {
    'mcp.method.name': 'tools/call',
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': cutPeerText(call.name),
    'jsonrpc.request.id': String(call.requestId),
    'mcp.session.id': call.sessionId,
  };
  if (call.protocolVersion !== undefined) attributes['mcp.protocol.version'] = call.protocolVersion;
  return attributes;
}

/**
 * A call that ended with a result. `ok` and `input_required` (a 2026-07-28 round the client's retry
 * continues) leave the status unset. Every other outcome is an `isError` result the client reads,
 * or for `cancelled` no reply at all: status ERROR; `error.type` is `tool_error`, the conventions'
 * value for an `isError` result, or `cancelled`; the finer outcome is in `nexus_mcp.tool_call.outcome`.
 */
export function markSettled(span: Span, { outcome }: Pick<ToolCallSettled, 'outcome'>): void {
  span.setAttribute(OUTCOME_ATTRIBUTE, outcome);
  if (outcome === 'ok' || outcome === 'input_required') return;
  span.setAttribute('error.type', outcome === 'cancelled' ? 'cancelled' : 'tool_error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
}

/** The signal aborted before the call ended: the client is owed no reply (or, in 2026-07-28, an `input_required` one). */
export function markAborted(span: Span, reason: unknown): void {
  markSettled(span, { outcome: reason instanceof InputRequiredError ? 'input_required' : 'cancelled' });
}

/**
 * A call answered with a JSON-RPC error (an unknown tool: -32602; the client cannot do what the
 * tool asked of it; anything else: -32603). `error.type` and `rpc.response.status_code` are the
 * code, the status message is the error's; an unexpected exception is recorded on the span.
 */
export function markFailed(span: Span, error: unknown): void {
  const known = error instanceof McpError;
  const code = String(known ? error.code : JsonRpcErrorCode.InternalError);
  span.setAttributes({ 'error.type': code, 'rpc.response.status_code': code });
  span.setStatus({ code: SpanStatusCode.ERROR, message: known ? error.message : 'Internal error' });
  // An unknown tool's name is the client's: not worth a span name of its own.
  if (known && error.code === JsonRpcErrorCode.InvalidParams) span.updateName('tools/call');
  if (!known) span.recordException(error instanceof Error ? error : String(error));
}
