/** The servers measured by the transport workloads: ours and the two peers. */
export const TRANSPORT_PEERS = ['ws', 'nexus', 'socketio'] as const;
export type TransportPeer = (typeof TRANSPORT_PEERS)[number];

/**
 * The `tools/call` legs. Against MCPServer: SimpleMCPClient over WebSocket, and the SDK client over
 * WebSocket, Streamable HTTP and stdio. Against the SDK's McpServer (the reference): the SDK client
 * over Streamable HTTP (SSE replies, the SDK's default, and JSON replies) and over stdio.
 */
export const MCP_LEGS = ['nexus-simple', 'sdk-ws-nexus', 'sdk-http-nexus', 'sdk-stdio-nexus', 'sdk-http', 'sdk-http-json', 'sdk-stdio'] as const;
export type McpLeg = (typeof MCP_LEGS)[number];

export const WORKLOADS = ['rtt', 'fanout', 'idle', 'mcp', 'cluster'] as const;

/** The cluster workload's peers: nexus-mcp with RedisBus, socket.io 4 with @socket.io/redis-adapter. */
export const CLUSTER_PEERS = ['nexus', 'socketio'] as const;
export type ClusterPeer = (typeof CLUSTER_PEERS)[number];

/**
 * How a fanout round issues its broadcasts: `back-to-back` (awaited one after another in one turn
 * of the event loop, as a burst) or `per-turn` (each in its own turn, as broadcasts triggered by
 * separate events usually are).
 */
export const FANOUT_VARIANTS = ['back-to-back', 'per-turn'] as const;
export type FanoutVariant = (typeof FANOUT_VARIANTS)[number];
export type Workload = (typeof WORKLOADS)[number];

export type BenchMode = 'full' | 'smoke';

/** How big and how long each workload is. Every number here bounds a workload in count and time. */
export interface BenchConfig {
  readonly mode: BenchMode;
  readonly rtt: {
    readonly clients: readonly number[];
    /** Each (server, C) is measured this many times, the servers taking turns (see interleave.ts). */
    readonly repetitions: number;
    /** Per repetition: unmeasured, then measured. */
    readonly warmupMs: number;
    readonly durationMs: number;
    /** Length of the string each request carries (echoed back). */
    readonly payloadBytes: number;
  };
  readonly fanout: {
    readonly clients: readonly number[];
    /** Messages per round, each broadcast to every client. */
    readonly messages: number;
    /** Target size of one message on the wire. */
    readonly payloadBytes: number;
    /** Rounds per server over the same connections, the servers taking turns; the median round is reported. */
    readonly rounds: number;
    /** No new cycle of rounds starts once the rounds have taken this long (at least one always runs). */
    readonly budgetMs: number;
    /** How the broadcasts of a round are issued; each variant is measured. */
    readonly variants: readonly FanoutVariant[];
  };
  readonly idle: {
    readonly connections: number;
  };
  readonly mcp: {
    readonly clients: readonly number[];
    readonly repetitions: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  };
  /** Two server nodes on one fresh redis-server, clients split between them, broadcasts published on node A. */
  readonly cluster: {
    /** Clients in all, half on each node. */
    readonly clients: number;
    /** Broadcasts per round, back to back on node A. */
    readonly messages: number;
    readonly payloadBytes: number;
    /** Rounds per peer, the peers taking turns; the median round is reported. */
    readonly rounds: number;
    /** `sendTo` calls on node A to one client on node B, one every `sendToIntervalMs`, for the latency. */
    readonly sendToSamples: number;
    readonly sendToIntervalMs: number;
  };
  /** Connection attempts in flight at once while opening many sockets. */
  readonly openConcurrency: number;
  /** Upper bound of any single step (a workload, a connect phase, a round); the issue caps each at 60 s. */
  readonly stepTimeoutMs: number;
}

export const FULL_CONFIG: BenchConfig = {
  mode: 'full',
  rtt: { clients: [1, 10, 100], repetitions: 3, warmupMs: 500, durationMs: 3_000, payloadBytes: 64 },
  fanout: { clients: [1_000, 10_000], messages: 100, payloadBytes: 200, rounds: 3, budgetMs: 50_000, variants: FANOUT_VARIANTS },
  idle: { connections: 10_000 },
  mcp: { clients: [1, 10], repetitions: 3, warmupMs: 500, durationMs: 3_000 },
  cluster: { clients: 10_000, messages: 50, payloadBytes: 200, rounds: 3, sendToSamples: 1_000, sendToIntervalMs: 5 },
  openConcurrency: 200,
  stepTimeoutMs: 60_000,
};

/** Tiny counts, a fraction of a second per workload: proves every path produces numbers. */
export const SMOKE_CONFIG: BenchConfig = {
  mode: 'smoke',
  rtt: { clients: [1, 4], repetitions: 1, warmupMs: 50, durationMs: 250, payloadBytes: 64 },
  fanout: { clients: [20], messages: 10, payloadBytes: 200, rounds: 1, budgetMs: 5_000, variants: FANOUT_VARIANTS },
  idle: { connections: 50 },
  mcp: { clients: [1, 2], repetitions: 1, warmupMs: 50, durationMs: 250 },
  cluster: { clients: 40, messages: 10, payloadBytes: 200, rounds: 1, sendToSamples: 20, sendToIntervalMs: 5 },
  openConcurrency: 50,
  stepTimeoutMs: 30_000,
};
