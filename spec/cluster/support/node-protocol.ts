/**
 * What a cluster node child (cluster-node.ts) and the test that drives it (node-process.ts) say to
 * each other: one JSON object per line, commands on the child's stdin, replies and events on its
 * stdout. Times are `Date.now()` of the child: every process of a test runs on the same machine, so
 * they compare.
 */

/** The numbered broadcast every fault scenario sends: `{ event: 'seq', seq, type: 'notification' }` at the client. */
export const SEQ_EVENT = 'seq';

export type NodeCommand =
  /** Broadcasts `count` numbered messages starting at `from`, one every `intervalMs` (0: back to back). */
  | { readonly cmd: 'broadcast'; readonly from: number; readonly count: number; readonly intervalMs: number }
  /** This node's clients and the cluster's, as this node sees them now. */
  | { readonly cmd: 'counts' }
  /** `process.memoryUsage()` after forced full collections. */
  | { readonly cmd: 'memory' }
  /** `sendTo(clientId, message)`: resolves with what sendTo resolved (1 or 0). */
  | { readonly cmd: 'sendTo'; readonly clientId: string; readonly message: Record<string, unknown> }
  /** The ids of this node's clients. */
  | { readonly cmd: 'clients' }
  /** Stops the server gracefully and exits. */
  | { readonly cmd: 'stop' };

export type NodeRequest = NodeCommand & { readonly id: number };

/** The reply to one command. */
export interface NodeReply {
  readonly reply: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** What `broadcast` answers: when each message went out (index 0 is `from`). */
export interface BroadcastResult {
  readonly sentAt: readonly number[];
}

export interface CountsResult {
  readonly local: number;
  readonly cluster: number;
  readonly nodes: readonly { readonly nodeId: string; readonly clients: number }[];
}

export interface MemoryResult {
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
}

/** Something the node reports without being asked. */
export type NodeEvent =
  | { readonly event: 'ready'; readonly port: number; readonly nodeId: string; readonly at: number }
  /** The bus's status$ (`missed`, `since` on `resubscribed`). */
  | { readonly event: 'status'; readonly kind: string; readonly missed?: boolean; readonly since?: number; readonly at: number }
  /** One error on the server's errors$. */
  | { readonly event: 'error'; readonly code: string; readonly message: string; readonly clientId?: string; readonly at: number };

export type NodeLine = NodeReply | NodeEvent;

export function isReply(line: NodeLine): line is NodeReply {
  return 'reply' in line;
}
