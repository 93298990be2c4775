import { Histogram } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { MCPServer } from '../mcp/index.js';
import type { MetricNaming } from './transport-metrics.js';

/** Default buckets for tool-call durations, seconds: 5 ms to 60 s. */
export const TOOL_CALL_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ToolMetricsOptions extends MetricNaming {
  readonly buckets: readonly number[];
  /** Distinct tool names labelled; calls to further names count under `tool="other"`. */
  readonly maxToolLabels: number;
}

/**
 * `tools/call` durations by tool and outcome, from the server's `toolCalls$`. The tool name comes
 * from the client's request, so the distinct names are capped: a client calling made-up names
 * cannot grow the registry without bound.
 */
export function collectToolMetrics(server: MCPServer, { registry, prefix, buckets, maxToolLabels }: ToolMetricsOptions): Subscription {
  const durations = new Histogram({
    name: `${prefix}tool_call_duration_seconds`,
    help: 'Duration of tools/call requests, by tool and outcome (ok, tool_error, invalid_arguments, invalid_output, failed, cancelled, input_required)',
    labelNames: ['tool', 'outcome'],
    buckets: [...buckets],
    registers: [registry],
  });
  const named = new Set<string>();
  return server.toolCalls$.subscribe(({ name, durationMs, outcome }) => {
    if (!named.has(name) && named.size < maxToolLabels) named.add(name);
    const tool = named.has(name) ? name : 'other';
    durations.labels(tool, outcome).observe(durationMs / 1000);
  });
}
