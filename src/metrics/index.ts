/**
 * `nexus-mcp/metrics`: Prometheus metrics for a server, with prom-client (an optional peer
 * dependency: install it to use this entry point). Nothing else in the package imports prom-client.
 * @see docs/observability.md
 * @module
 */
export { collectMetrics, type CollectedMetrics, type CollectMetricsOptions } from './collect-metrics.js';
export { TOOL_CALL_BUCKETS } from './tool-metrics.js';
