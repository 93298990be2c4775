import { context, isSpanContextValid, SpanKind, trace, type Context, type Link, type Span, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { ToolCallSettled, ToolCallWrapper } from '../mcp/index.js';
import { metaGetter, metaTraceContext } from './meta-trace-context.js';
import { markAborted, markFailed, markSettled, spanName, startAttributes } from './span-marks.js';

/** The name of the tracer {@link toolCallTracing} asks the global provider for when given none. */
export const TRACER_NAME = 'nexus-mcp';

/** Where {@link toolCallTracing} records spans and how it reads the caller's trace context. */
export interface ToolCallTracingOptions {
  /** Default the global provider's tracer named {@link TRACER_NAME} (a no-op until a provider is registered). */
  readonly tracer?: Tracer;
  /**
   * Reads the caller's context from `params._meta`. Default: W3C `traceparent` and `tracestate`,
   * parsed here, with no propagator registered. Pass `propagation` from `@opentelemetry/api` to
   * use the globally configured propagators instead (W3C baggage, B3, …).
   */
  readonly propagator?: TextMapPropagator;
}

/**
 * OpenTelemetry tracing of tool calls, for `MCPServer`'s `wrapToolCall` option: one SERVER span per
 * `tools/call`, named and described by the OpenTelemetry MCP conventions (`tools/call <tool>`;
 * `mcp.method.name`, `gen_ai.tool.name`, `gen_ai.operation.name`, `jsonrpc.request.id`,
 * `mcp.session.id`, `mcp.protocol.version`; `error.type` and status ERROR on failure). Its parent
 * is the caller's span, from `traceparent`/`tracestate` in the request's `params._meta`; without a
 * valid one, whatever span is current (a new root when none is). The tool's handler runs with the
 * span current: spans it starts are its children. The span ends when the result is ready, or at
 * once when the call is cancelled (the client then gets no reply).
 * @example
 * const server = new MCPServer({ port: 3001, wrapToolCall: toolCallTracing() });
 * @see docs/observability.md
 */
export function toolCallTracing(options: ToolCallTracingOptions = {}): ToolCallWrapper {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const propagator = options.propagator ?? metaTraceContext;
  return (call, run) => {
    const ambient = context.active();
    const parent = propagator.extract(ambient, call.meta, metaGetter);
    const span = tracer.startSpan(spanName(call.name), { kind: SpanKind.SERVER, attributes: startAttributes(call), links: linksOf(ambient, parent) }, parent);
    const ending = endOnce(span, call.signal);
    return context.with(trace.setSpan(parent, span), run).then(
      (settled) => {
        ending.settled(settled);
        return settled;
      },
      (error: unknown) => {
        ending.failed(error);
        throw error;
      },
    );
  };
}

/** The conventions: the caller's context is the parent, and a current span of another trace (an HTTP request's) is linked. */
function linksOf(ambient: Context, parent: Context): Link[] {
  const current = trace.getSpanContext(ambient);
  if (!current || !isSpanContextValid(current) || trace.getSpanContext(parent) === current) return [];
  return [{ context: current }];
}

/** Ends `span` once: when the call settles, or when its signal aborts first (a cancelled call's handler may never finish). */
function endOnce(span: Span, signal: AbortSignal): { settled(settled: ToolCallSettled): void; failed(error: unknown): void } {
  let open = true;
  const end = (mark: () => void): void => {
    if (!open) return;
    open = false;
    signal.removeEventListener('abort', aborted);
    mark();
    span.end();
  };
  const aborted = (): void => end(() => markAborted(span, signal.reason));
  signal.addEventListener('abort', aborted, { once: true });
  return {
    settled: (settled) => end(() => markSettled(span, settled)),
    failed: (error) => end(() => markFailed(span, error)),
  };
}
