import type { ServerTransportOptions } from '../../../src/transport/index.js';

/**
 * What the benchmark changes in nexus-mcp's server defaults, and why. Everything else (heartbeat,
 * 10 MiB message limit, in-flight limit, slow-consumer watermark, origin and host checks) stays as
 * shipped, so the numbers include their cost.
 *
 * - `messageRate: false`: the default token bucket (1000 messages/s per connection) exists to stop
 *   abuse and would cap a single benchmark connection far below what the server can do; raw ws and
 *   socket.io have no such limit.
 * - `maxClients: 20_000`: the default (10 000) equals the largest workload; keep the workloads clear of it.
 * - `logger: false`: nothing to log on loopback.
 */
export const BENCH_TRANSPORT_OPTIONS = {
  messageRate: false,
  maxClients: 20_000,
  logger: false,
} as const satisfies ServerTransportOptions;
