import { Registry } from 'prom-client';
import { Subscription } from 'rxjs';
import { MCPServer } from '../mcp/index.js';
import type { WebSocketServerTransport } from '../transport/index.js';
import { collectToolMetrics, TOOL_CALL_BUCKETS } from './tool-metrics.js';
import { collectTransportMetrics } from './transport-metrics.js';

/** Where {@link collectMetrics} registers its metrics and how it names them. */
export interface CollectMetricsOptions {
  /** Default a new `Registry` (read it from the result). */
  readonly registry?: Registry;
  /** Prepended to every metric name. Default `'nexus_mcp_'`. */
  readonly prefix?: string;
  /** Tool-call duration buckets, seconds. Default {@link TOOL_CALL_BUCKETS}. */
  readonly toolCallBuckets?: readonly number[];
  /** Distinct tool names labelled before further ones count as `tool="other"`. Default 100. */
  readonly maxToolLabels?: number;
}

/** What {@link collectMetrics} feeds: its registry, and how to stop feeding it. */
export interface CollectedMetrics {
  readonly registry: Registry;
  /** Unsubscribes from the server's streams (they end on `stop()` anyway); the registry keeps its metrics. */
  stop(): void;
}

/**
 * Prometheus metrics for a server, fed by its own Observables: connections, messages and bytes in
 * and out, errors by kind, close codes, slow-consumer events, rate-limit refusals, readiness, and
 * for an `MCPServer` tool-call durations by tool and outcome. Serve the registry with the
 * transport's `metrics: { registry }` option, or from your own HTTP server (`registry.metrics()`).
 * Call it once per server and registry: prom-client refuses a metric name registered twice.
 * @example
 * const registry = new Registry();
 * const server = new MCPServer({ port: 3001, metrics: { registry }, health: true });
 * collectMetrics(server, { registry });
 * @see docs/observability.md
 */
export function collectMetrics(server: MCPServer | WebSocketServerTransport, options: CollectMetricsOptions = {}): CollectedMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'nexus_mcp_';
  const maxToolLabels = options.maxToolLabels ?? 100;
  if (!(maxToolLabels >= 0)) throw new RangeError(`maxToolLabels must be 0 or more, got ${maxToolLabels}`);
  const subscription = new Subscription();
  const transport = server instanceof MCPServer ? server.transport : server;
  subscription.add(collectTransportMetrics(transport, { registry, prefix }));
  if (server instanceof MCPServer) {
    subscription.add(collectToolMetrics(server, { registry, prefix, buckets: options.toolCallBuckets ?? TOOL_CALL_BUCKETS, maxToolLabels }));
  }
  return { registry, stop: () => subscription.unsubscribe() };
}
