import { FANOUT_VARIANTS, type FanoutVariant } from '../config.js';
import type { BenchResults, FanoutRow, McpRow } from '../results.js';
import { isMeasuredMcpRow } from '../results.js';

/** One ratio of a subject against the reference of its workload (raw ws, or the SDK's HTTP transport). */
export interface Comparison {
  /** `rtt req/s C=100` */
  readonly metric: string;
  readonly subject: string;
  readonly reference: string;
  readonly ratio: number;
  readonly higherIsBetter: boolean;
}

/** A target of issue 5 and what this run says about it. */
export interface TargetVerdict {
  readonly target: string;
  readonly measured: number | undefined;
  readonly bound: number;
  readonly higherIsBetter: boolean;
  /** `undefined` when the run did not measure what the target needs. */
  readonly pass: boolean | undefined;
}

/** `value / reference`, or nothing when either is missing or not positive (a negative RSS delta is noise, not a ratio). */
const ratio = (value: number | undefined, reference: number | undefined): number | undefined =>
  value === undefined || reference === undefined || !(reference > 0) || !(value > 0) || !Number.isFinite(value) ? undefined : value / reference;

function mcpRate(rows: readonly McpRow[], leg: string, clients: number): number | undefined {
  const row = rows.find((candidate) => candidate.leg === leg && candidate.clients === clients);
  return row && isMeasuredMcpRow(row) ? row.perSecond : undefined;
}

/** Server CPU time per call, ms: the server process's CPU share over the window divided by calls/s (not for stdio legs, whose servers are many processes). */
function mcpServerCpuPerCall(rows: readonly McpRow[], leg: string, clients: number): number | undefined {
  const row = rows.find((candidate) => candidate.leg === leg && candidate.clients === clients);
  if (!row || !isMeasuredMcpRow(row) || !Number.isFinite(row.serverCpu) || !(row.perSecond > 0)) return undefined;
  return (row.serverCpu * 1000) / row.perSecond;
}

/** The comparison's name for a fanout row: `fanout deliveries/s N=10000` (back to back) or `… N=10000 per turn`. */
export function fanoutMetric(clients: number, variant: FanoutVariant): string {
  return `fanout deliveries/s N=${clients}${variant === 'per-turn' ? ' per turn' : ''}`;
}

/** Every ratio the report shows and charts, in a stable order. */
export function compare(results: BenchResults): Comparison[] {
  const comparisons: Comparison[] = [];
  const push = (metric: string, subject: string, reference: string, value: number | undefined, higherIsBetter: boolean): void => {
    if (value !== undefined) comparisons.push({ metric, subject, reference, ratio: value, higherIsBetter });
  };
  const subjects = ['nexus', 'socketio'] as const;
  const clientCounts = [...new Set(results.rtt.map((row) => row.clients))];
  for (const clients of clientCounts) {
    const reference = results.rtt.find((row) => row.peer === 'ws' && row.clients === clients);
    for (const subject of subjects) {
      const row = results.rtt.find((candidate) => candidate.peer === subject && candidate.clients === clients);
      push(`rtt req/s C=${clients}`, subject, 'ws', ratio(row?.perSecond, reference?.perSecond), true);
    }
  }
  for (const clients of clientCounts) {
    const reference = results.rtt.find((row) => row.peer === 'ws' && row.clients === clients);
    for (const subject of subjects) {
      const row = results.rtt.find((candidate) => candidate.peer === subject && candidate.clients === clients);
      push(`rtt p99 C=${clients}`, subject, 'ws', ratio(row?.p99Ms, reference?.p99Ms), false);
    }
  }
  for (const variant of FANOUT_VARIANTS) {
    for (const clients of [...new Set(results.fanout.map((row) => row.clients))]) {
      const same = (row: FanoutRow): boolean => row.clients === clients && row.variant === variant;
      const reference = results.fanout.find((row) => row.peer === 'ws' && same(row));
      for (const subject of subjects) {
        const row = results.fanout.find((candidate) => candidate.peer === subject && same(candidate));
        push(fanoutMetric(clients, variant), subject, 'ws', ratio(row?.deliveriesPerSecond, reference?.deliveriesPerSecond), true);
      }
    }
  }
  const idleReference = results.idle.find((row) => row.peer === 'ws');
  for (const subject of subjects) {
    const row = results.idle.find((candidate) => candidate.peer === subject);
    push('idle heap/conn', subject, 'ws', ratio(row?.heapPerConnection, idleReference?.heapPerConnection), false);
    push('idle RSS/conn', subject, 'ws', ratio(row?.rssPerConnection, idleReference?.rssPerConnection), false);
  }
  for (const clients of [...new Set(results.mcp.map((row) => row.clients))]) {
    const reference = mcpRate(results.mcp, 'sdk-http', clients);
    for (const leg of ['nexus-simple', 'sdk-ws-nexus', 'sdk-http-nexus', 'sdk-stdio-nexus', 'sdk-http-json', 'sdk-stdio']) {
      push(`mcp calls/s C=${clients}`, leg, 'sdk-http', ratio(mcpRate(results.mcp, leg, clients), reference), true);
    }
    // What the server itself spends per call, over HTTP: when the SDK client saturates its own core, calls/s
    // measures the client more than the server.
    push(
      `mcp HTTP server CPU/call C=${clients}`,
      'sdk-http-nexus',
      'sdk-http',
      ratio(mcpServerCpuPerCall(results.mcp, 'sdk-http-nexus', clients), mcpServerCpuPerCall(results.mcp, 'sdk-http', clients)),
      false,
    );
    // stdio against stdio: the same SDK client, one server process per client on both sides.
    push(`mcp stdio calls/s C=${clients}`, 'sdk-stdio-nexus', 'sdk-stdio', ratio(mcpRate(results.mcp, 'sdk-stdio-nexus', clients), mcpRate(results.mcp, 'sdk-stdio', clients)), true);
  }
  // Across nodes the reference is socket.io with its Redis adapter (there is no raw ws cluster).
  for (const clients of [...new Set((results.cluster ?? []).map((row) => row.clients))]) {
    const rate = (peer: string): number | undefined => results.cluster?.find((row) => row.peer === peer && row.clients === clients)?.deliveriesPerSecond;
    push(clusterMetric(clients), 'nexus', 'socketio', ratio(rate('nexus'), rate('socketio')), true);
  }
  return comparisons;
}

/** The comparison's name for the cluster workload: `cluster deliveries/s N=10000`. */
export function clusterMetric(clients: number): string {
  return `cluster deliveries/s N=${clients}`;
}

/** The targets of issue 5, nexus-mcp against the peers of the same run. */
export function judgeTargets(results: BenchResults): TargetVerdict[] {
  const find = (metric: string, subject: string): number | undefined =>
    compare(results).find((comparison) => comparison.metric === metric && comparison.subject === subject)?.ratio;
  const verdict = (target: string, measured: number | undefined, bound: number, higherIsBetter: boolean): TargetVerdict => ({
    target,
    measured,
    bound,
    higherIsBetter,
    pass: measured === undefined ? undefined : higherIsBetter ? measured >= bound : measured <= bound,
  });
  return [
    verdict('rtt throughput at C = 100 ≥ 0.9 × raw ws', find('rtt req/s C=100', 'nexus'), 0.9, true),
    verdict('rtt p99 at C = 100 ≤ 1.2 × raw ws', find('rtt p99 C=100', 'nexus'), 1.2, false),
    verdict('fanout at 10k clients, back to back, ≥ 0.9 × raw ws deliveries/s', find(fanoutMetric(10_000, 'back-to-back'), 'nexus'), 0.9, true),
    verdict('fanout at 10k clients, one broadcast per turn, ≥ 1.0 × raw ws deliveries/s', find(fanoutMetric(10_000, 'per-turn'), 'nexus'), 1.0, true),
    verdict('idle heap per connection ≤ 1.3 × raw ws', find('idle heap/conn', 'nexus'), 1.3, false),
    verdict('idle RSS per connection ≤ 1.3 × raw ws', find('idle RSS/conn', 'nexus'), 1.3, false),
    verdict('mcp tools/call at C = 10, SimpleMCPClient → MCPServer ≥ 5 × SDK Streamable HTTP', find('mcp calls/s C=10', 'nexus-simple'), 5, true),
    verdict('mcp tools/call at C = 10, SDK client over WebSocket → MCPServer ≥ 5 × SDK Streamable HTTP', find('mcp calls/s C=10', 'sdk-ws-nexus'), 5, true),
    verdict('mcp tools/call at C = 10, SDK client over Streamable HTTP → MCPServer ≥ 2 × SDK Streamable HTTP', find('mcp calls/s C=10', 'sdk-http-nexus'), 2, true),
    verdict('mcp over Streamable HTTP at C = 10, server CPU per call ≤ 0.5 × the SDK’s Streamable HTTP server', find('mcp HTTP server CPU/call C=10', 'sdk-http-nexus'), 0.5, false),
    verdict('cluster fanout, 2 nodes on Redis, 10k clients ≥ 1.2 × socket.io with @socket.io/redis-adapter', find(clusterMetric(10_000), 'nexus'), 1.2, true),
  ];
}
