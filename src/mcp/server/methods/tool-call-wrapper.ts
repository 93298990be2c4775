import type { CallToolParams, CallToolResult, JsonObject, RequestId } from '../../../protocol/index.js';
import type { HandlerContext } from '../requests/handler-context.js';
import type { ToolCallOutcome, ToolCallResult, ToolRegistry } from '../../registries/tool-registry.js';

/** One `tools/call` about to run, as a {@link ToolCallWrapper} sees it. Plain data, read-only. */
export interface ToolCallInfo {
  /** The tool the client named (not necessarily a registered one: `run` rejects for an unknown tool). */
  readonly name: string;
  readonly arguments: JsonObject | undefined;
  /** `params._meta` as the client sent it: trace context (`traceparent`, `tracestate`, `baggage`), progress token, 2026-07-28 keys. */
  readonly meta: JsonObject | undefined;
  /** The session's id: the connection's (the transport's client id), as `toolCalls$`, `sessions$` and handlers name it. */
  readonly sessionId: string;
  readonly requestId: RequestId;
  /** The revision the call is served under. */
  readonly protocolVersion: string | undefined;
  /**
   * The handler's signal: aborted when the client cancels the call, leaves, or the server stops (the
   * client then gets no reply), or in 2026-07-28 when asking the client for input ended the round
   * (the reply is `input_required`; the reason is an `InputRequiredError`).
   */
  readonly signal: AbortSignal;
}

/** How a `tools/call` ended, as `run` resolves it for a {@link ToolCallWrapper}. */
export interface ToolCallSettled {
  /** The same outcome `toolCalls$` reports. */
  readonly outcome: ToolCallOutcome;
  /** The result the client is sent: `isError: true` unless the outcome is `ok` (or a tool's own `isError` result, outcome `tool_error`). */
  readonly result: CallToolResult;
}

/**
 * Runs around every `tools/call` (the `wrapToolCall` option of `MCPServer`): it must call `run`
 * once and resolve with what `run` resolved to, or reject with what it rejected with — an
 * `McpError` for a protocol error such as an unknown tool (-32602). Whatever the wrapper makes
 * current while it calls `run` (an OpenTelemetry context, an AsyncLocalStorage store) is current
 * in the tool's handler. `nexus-mcp/tracing`'s `toolCallTracing()` is one.
 * @example
 * const server = new MCPServer({
 *   wrapToolCall: async (call, run) => {
 *     const settled = await run();
 *     console.log(call.name, settled.outcome);
 *     return settled;
 *   },
 * });
 */
export type ToolCallWrapper = (call: ToolCallInfo, run: () => Promise<ToolCallSettled>) => Promise<ToolCallSettled>;

/** A `tools/call` as the method table hands it over. */
export interface ToolCallRequest {
  readonly params: CallToolParams;
  readonly ctx: HandlerContext;
}

/**
 * Runs one call through the registry, around `wrapper` when there is one. Without a wrapper this is
 * the registry's call itself: a tool that answers at once is still answered at once.
 */
export function callTool(tools: ToolRegistry, { params, ctx }: ToolCallRequest, wrapper: ToolCallWrapper | undefined): ToolCallResult | Promise<ToolCallResult> {
  if (!wrapper) return tools.call(params.name, params.arguments, ctx);
  let running: Promise<ToolCallResult> | undefined;
  // Called twice, the tool still runs once.
  const run = (): Promise<ToolCallResult> => (running ??= new Promise((resolve) => resolve(tools.call(params.name, params.arguments, ctx))));
  const info: ToolCallInfo = {
    name: params.name,
    arguments: params.arguments,
    meta: params._meta,
    sessionId: ctx.sessionId,
    requestId: ctx.requestId,
    protocolVersion: ctx.protocolVersion,
    signal: ctx.signal,
  };
  return wrapper(info, run);
}
