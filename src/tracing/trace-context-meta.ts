import { context as contextApi, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { metaSetter, metaTraceContext } from './meta-trace-context.js';

/**
 * The client side of propagation: the current span's context as `params._meta` entries
 * (`traceparent`, and `tracestate` when there is one), to put in a request so that the server's
 * span joins the caller's trace. Empty when no valid span is current. `propagator`: as
 * `toolCallTracing`'s option of that name (pass `propagation` to write what the global propagators write).
 * @example
 * // The official SDK's client takes `_meta` in the params:
 * await client.callTool({ name: 'add', arguments: { a: 1, b: 2 }, _meta: traceContextMeta() });
 * // SimpleMCPClient, through its raw request:
 * await simpleClient.request('tools/call', { name: 'add', arguments: { a: 1, b: 2 }, _meta: traceContextMeta() });
 */
export function traceContextMeta(context: Context = contextApi.active(), propagator: TextMapPropagator = metaTraceContext): Record<string, string> {
  const meta: Record<string, string> = {};
  propagator.inject(context, meta, metaSetter);
  return meta;
}
