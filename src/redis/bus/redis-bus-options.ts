import { randomUUID } from 'node:crypto';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Redis } from 'ioredis';

/** How a {@link RedisBus} reaches Redis and how it keeps its log and its leases. */
export interface RedisBusOptions {
  /** Where Redis is: `redis://[user:password@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /**
   * Makes one connection (called three times: commands, the stream reader, the subscriber), instead
   * of `url`. It receives the options the bus relies on (`lazyConnect`, no offline queue, no
   * retries of a command cut off by a disconnect): merge them into yours, e.g.
   * `(needed) => new Redis({ ...mine, ...needed })`. The bus closes what it made on `stop()`.
   */
  readonly connect?: (needed: NeededRedisOptions) => Redis;
  /** This node's id, unique in the cluster. Default: a random UUID. */
  readonly nodeId?: string;
  /** What every key and channel starts with (`<prefix>:bus`, …). Default `nexus`. */
  readonly prefix?: string;
  /**
   * How long a node's presence lasts without renewal, ms; renewed every `leaseMs / 5`. A node that
   * dies without leaving vanishes (and its clients with it) within `leaseMs + leaseMs / 5`. Redis
   * answering nothing for `leaseMs` is taken as a lost connection. Default 5000.
   */
  readonly leaseMs?: number;
  /** About how many envelopes the shared stream keeps (`XADD MAXLEN ~`). Default 100000. */
  readonly streamMaxLen?: number;
  /** Envelopes older than this are trimmed too (on the renew tick, `XTRIM MINID ~`), ms. Default: no age limit. */
  readonly streamMaxAgeMs?: number;
  /** Envelopes one `XREAD` takes at most. Default 1000. */
  readonly readBatch?: number;
  /** Envelopes one `readSince` returns at most; ask again from the last one's position for more. Default 10000. */
  readonly readSinceLimit?: number;
  /** The clock of the renew tick and of `since`; `TestScheduler` can drive it. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface ResolvedRedisBusOptions {
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly streamMaxLen: number;
  readonly streamMaxAgeMs: number | undefined;
  readonly readBatch: number;
  readonly readSinceLimit: number;
  readonly scheduler: SchedulerLike;
  readonly keys: RedisBusKeys;
  /** Opens one of the bus's connections. */
  readonly open: (role: ConnectionRole) => Redis;
}

/** What a connection is for; connections the bus makes from `url` are named `<prefix>:<nodeId>:<role>` (CLIENT LIST). */
export type ConnectionRole = 'command' | 'reader' | 'subscriber';

/** Every key and channel the bus uses, under its prefix. */
export interface RedisBusKeys {
  readonly prefix: string;
  /** The stream every publish is appended to. */
  readonly bus: string;
  /** A random id, set once; changed or gone means Redis lost its data. */
  readonly epoch: string;
  /** Sorted set: node id → lease expiry (Redis time, ms). */
  readonly nodes: string;
  /** Hash: node id → its client count. */
  readonly counts: string;
  /** Hash: client id → the node that holds it. */
  readonly clients: string;
  /** Pub/sub: presence changed somewhere (the payload is the node that changed it). */
  readonly presenceChannel: string;
  /** Set: the client ids of one node, so a live node can sweep a dead one's. */
  nodeClients(nodeId: string): string;
  /** Pub/sub: messages for one node. */
  nodeChannel(nodeId: string): string;
}

export function redisBusKeys(prefix: string): RedisBusKeys {
  return {
    prefix,
    bus: `${prefix}:bus`,
    epoch: `${prefix}:epoch`,
    nodes: `${prefix}:nodes`,
    counts: `${prefix}:counts`,
    clients: `${prefix}:clients`,
    presenceChannel: `${prefix}:presence`,
    nodeClients: (nodeId) => `${prefix}:node:${nodeId}:clients`,
    nodeChannel: (nodeId) => `${prefix}:node:${nodeId}`,
  };
}

/**
 * What every connection of the bus needs: connect when asked (so `start()` can wait for it), fail a
 * command at once while disconnected instead of queueing it for an unknown later (a publish queued
 * across a Redis restart would land in a different epoch), and reject a command the disconnect cut
 * off (the bus decides what to redo).
 */
export interface NeededRedisOptions {
  readonly lazyConnect: boolean;
  readonly enableOfflineQueue: boolean;
  readonly maxRetriesPerRequest: number;
  readonly autoResendUnfulfilledCommands: boolean;
  readonly autoResubscribe: boolean;
}

export const NEEDED_REDIS_OPTIONS: NeededRedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: true,
};

export function resolveRedisBusOptions(options: RedisBusOptions, load: (url: string, needed: NeededRedisOptions & { readonly connectionName: string }) => Redis): ResolvedRedisBusOptions {
  const leaseMs = options.leaseMs ?? 5000;
  if (!(leaseMs >= 50)) throw new RangeError(`leaseMs must be at least 50, got ${leaseMs}`);
  const streamMaxLen = options.streamMaxLen ?? 100_000;
  if (!(streamMaxLen >= 1)) throw new RangeError(`streamMaxLen must be at least 1, got ${streamMaxLen}`);
  const readBatch = options.readBatch ?? 1000;
  if (!(readBatch >= 1)) throw new RangeError(`readBatch must be at least 1, got ${readBatch}`);
  const prefix = options.prefix ?? 'nexus';
  if (prefix === '' || /\s/.test(prefix)) throw new RangeError(`prefix must be a non-empty word, got ${JSON.stringify(prefix)}`);
  const { connect, url = 'redis://127.0.0.1:6379' } = options;
  const nodeId = options.nodeId ?? randomUUID();
  return {
    nodeId,
    leaseMs,
    renewMs: Math.max(10, Math.floor(leaseMs / 5)),
    streamMaxLen,
    streamMaxAgeMs: options.streamMaxAgeMs,
    readBatch,
    readSinceLimit: options.readSinceLimit ?? 10_000,
    scheduler: options.scheduler ?? asyncScheduler,
    keys: redisBusKeys(prefix),
    open: connect ? () => connect({ ...NEEDED_REDIS_OPTIONS }) : (role) => load(url, { ...NEEDED_REDIS_OPTIONS, connectionName: `${prefix}:${nodeId}:${role}` }),
  };
}
