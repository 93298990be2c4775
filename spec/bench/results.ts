import type { BenchConfig, ClusterPeer, FanoutVariant, McpLeg, TransportPeer } from './config.js';
import type { MemorySample } from './servers/memory.js';
import type { RepetitionSummary } from './stats.js';

/** Where and how the run happened: enough to tell whether two result files are comparable. */
export interface RunMeta {
  readonly date: string;
  readonly mode: BenchConfig['mode'];
  readonly node: string;
  readonly os: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly loadAverageAtStart: readonly number[];
  readonly pinned: boolean;
  readonly serverCore: number | null;
  readonly loadCore: number | null;
  readonly openFiles: { readonly wanted: number; readonly granted: number; readonly hard: string };
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly versions: Readonly<Record<string, string>>;
  readonly config: BenchConfig;
  readonly durationSeconds: number;
}

/** Throughput over all repetitions; p50, p99 and CPU shares are medians of the repetitions'. */
export interface RttRow extends ClosedLoopMeasures {
  readonly peer: TransportPeer;
  readonly requests: number;
}

/** What every closed-loop row (rtt, mcp) reports. */
export interface ClosedLoopMeasures {
  readonly clients: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Share of one core the server used in the middle of the measured window (`NaN`, null in JSON, for stdio, whose servers are children of the load generator). */
  readonly serverCpu: number;
  /** Share of one core the load generator used during the measured window. */
  readonly loadCpu: number;
  readonly repetitions: readonly RepetitionSummary[];
}

export interface FanoutRound {
  readonly delivered: number;
  readonly expected: number;
  /** From the server's first broadcast call until the last client had the last message. */
  readonly lastDeliveryMs: number;
  /** From the first broadcast call until the server's loop had handed every message to its sockets. */
  readonly handOverMs: number;
  readonly deliveriesPerSecond: number;
  /** Share of one core the server used from the first broadcast until the last delivery. */
  readonly serverCpu: number;
}

export interface FanoutRow {
  readonly peer: TransportPeer;
  readonly clients: number;
  readonly variant: FanoutVariant;
  readonly messages: number;
  readonly payloadBytes: number;
  readonly connectPerSecond: number;
  readonly rounds: readonly FanoutRound[];
  /** Medians over the rounds. */
  readonly deliveriesPerSecond: number;
  readonly lastDeliveryMs: number;
}

export interface IdleRow {
  readonly peer: TransportPeer;
  readonly connections: number;
  readonly connectPerSecond: number;
  readonly heapPerConnection: number;
  readonly rssPerConnection: number;
  readonly externalPerConnection: number;
  readonly baseline: MemorySample;
  readonly loaded: MemorySample;
}

export type McpRow =
  | (ClosedLoopMeasures & { readonly leg: McpLeg; readonly calls: number })
  | { readonly leg: McpLeg; readonly clients: number; readonly skipped: string };

/** One broadcast round of the cluster workload: node A broadcasts, the clients of both nodes count. */
export interface ClusterRound {
  readonly delivered: number;
  readonly expected: number;
  /** From node A's first broadcast call until the last client (on either node) had the last message. */
  readonly lastDeliveryMs: number;
  /** The same, for the clients of node B only (everything they get crossed Redis). */
  readonly remoteLastDeliveryMs: number;
  readonly deliveriesPerSecond: number;
  /** Commands Redis executed during the round (INFO commandstats, both nodes), per broadcast. */
  readonly redisCommandsPerBroadcast: number;
  /** The same by command name (`xadd`, `publish`, `evalsha`…); commands a Lua script runs count too. */
  readonly redisCommandsByName: Readonly<Record<string, number>>;
  /** Round trips per broadcast by the server's own Redis layer's count (RedisBus `commands`); `null` for socket.io. */
  readonly busCommandsPerBroadcast: number | null;
  readonly serverCpuA: number;
  readonly serverCpuB: number;
}

export interface ClusterRow {
  readonly peer: ClusterPeer;
  readonly clients: number;
  readonly nodes: number;
  readonly messages: number;
  readonly payloadBytes: number;
  readonly connectPerSecond: number;
  readonly rounds: readonly ClusterRound[];
  /** Medians over the rounds. */
  readonly deliveriesPerSecond: number;
  readonly lastDeliveryMs: number;
  readonly redisCommandsPerBroadcast: number;
  readonly busCommandsPerBroadcast: number | null;
  /** `sendTo` on node A to a client on node B, until that client had it. */
  readonly sendTo: {
    readonly samples: number;
    readonly delivered: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly redisCommandsPerSend: number;
    readonly redisCommandsByName: Readonly<Record<string, number>>;
    readonly busCommandsPerSend: number | null;
  };
}

/** A workload that did not finish for one subject: recorded, and the run goes on. */
export interface Failure {
  readonly workload: string;
  readonly subject: string;
  readonly error: string;
}

export interface BenchResults {
  readonly meta: RunMeta;
  readonly rtt: readonly RttRow[];
  readonly fanout: readonly FanoutRow[];
  readonly idle: readonly IdleRow[];
  readonly mcp: readonly McpRow[];
  /** Absent in result files from before the cluster workload. */
  readonly cluster?: readonly ClusterRow[];
  readonly failures: readonly Failure[];
}

export function isMeasuredMcpRow(row: McpRow): row is Extract<McpRow, { perSecond: number }> {
  return !('skipped' in row);
}
