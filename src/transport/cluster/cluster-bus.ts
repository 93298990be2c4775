import type { Observable } from 'rxjs';

/** A message between nodes: who sent it, what it is about, and its payload (text, usually JSON). */
export interface BusEnvelope {
  /** The sending node's id. */
  readonly from: string;
  /** What it is: `broadcast`, `direct`, or a topic of a layer above (`mcp:list_changed`…). */
  readonly topic: string;
  readonly data: string;
  /**
   * Where the envelope sits in the bus's log, for a bus that keeps one (Redis Streams): ordered,
   * comparable with {@link comparePositions}. A session resumed on another node catches up from the
   * last position its old node recorded (see {@link ClusterBus.readSince}). Absent on direct sends.
   */
  readonly position?: string;
}

/** One live node of the cluster, as presence knows it. */
export interface ClusterNode {
  readonly nodeId: string;
  /** Its clients, as of its last presence report. */
  readonly clients: number;
}

/** What the bus says about itself: the broker connection, and any gap in what this node heard. */
export type BusStatus =
  | { readonly kind: 'connected' }
  /** The connection to the broker is lost: publishes fail, nothing is heard. */
  | { readonly kind: 'disconnected'; readonly error?: Error }
  /**
   * Connected and subscribed again after a loss: what other nodes published in between may not have
   * reached this node (`since`, scheduler time). Reported, never silent.
   */
  | {
      readonly kind: 'resubscribed';
      readonly since: number;
      /** `false` when the bus caught up from its log and nothing was missed; `true` when it could not. */
      readonly missed: boolean;
    };

/**
 * Who is connected where. Each node reports its own clients; every node sees the cluster's total.
 * A node that dies without leaving (SIGKILL) drops out when its lease expires.
 */
export interface ClusterPresence {
  /** A client connected to this node. */
  join(clientId: string): void;
  /** A client of this node left for good. */
  leave(clientId: string): void;
  /** The node a client is connected to, or `undefined` when no live node has it. */
  locate(clientId: string): Promise<string | undefined>;
  /** The number of clients on every live node; replays the latest value. */
  readonly count$: Observable<number>;
  /** The live nodes and their clients; replays the latest value. */
  readonly nodes$: Observable<readonly ClusterNode[]>;
}

/**
 * What nodes of one service share, so that each serves its own sockets while everything that spans
 * clients works across them: broadcasts (one publish each, not one per client), sends to a client
 * on another node, and who is connected where. The in-process {@link LocalBus} is the default (a
 * cluster of one, or of several servers in one process); `nexus-mcp/redis` has one over Redis.
 */
export interface ClusterBus {
  /** This node's id, unique in the cluster. */
  readonly nodeId: string;
  /** Joins the cluster: subscribes and takes its presence lease. Resolves once it can be reached. */
  start(): Promise<void>;
  /** Leaves: its presence goes at once (its clients no longer count), its subscriptions end. */
  stop(): Promise<void>;
  /** To every other node (the sender delivers to its own clients itself): one publish per call. */
  publish(topic: string, data: string): Promise<void>;
  /** To one node; resolves whether that node was there to take it. */
  sendToNode(nodeId: string, topic: string, data: string): Promise<boolean>;
  /**
   * What was published (by any node, this one included) after `position`, in order, for a bus that
   * keeps a log; `undefined` when the log no longer reaches back that far (a gap to report, never to
   * hide). Buses without a log do not have it.
   */
  readSince?(position: string): Promise<readonly BusEnvelope[] | undefined>;
  /** What other nodes publish, and what they send to this node (hot). */
  readonly inbound$: Observable<BusEnvelope>;
  readonly presence: ClusterPresence;
  /** The bus's condition over time (hot). */
  readonly status$: Observable<BusStatus>;
}

/**
 * Orders two bus positions: Redis stream ids (`<ms>-<seq>`) or plain counters. Negative when `a`
 * comes first, zero when equal, positive when `a` comes after.
 */
export function comparePositions(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs === bMs ? aSeq - bSeq : aMs - bMs;
}
