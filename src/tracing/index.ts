/**
 * `nexus-mcp/tracing`: OpenTelemetry spans for tool calls, with `@opentelemetry/api` (an optional
 * peer dependency: install it to use this entry point). Nothing else in the package imports it;
 * the server only offers the seam, `MCPServer`'s `wrapToolCall` option.
 * @see docs/observability.md
 * @module
 */
export { toolCallTracing, TRACER_NAME, type ToolCallTracingOptions } from './tool-call-tracing.js';
export { traceContextMeta } from './trace-context-meta.js';
