import { Redis } from 'ioredis';
import { DEFAULT_RESUME } from '../../transport/resume/session-resumption.js';
import type { ReplayLimits, SharedSessions } from '../../transport/index.js';
import { RedisReplayStore } from './redis-replay-store.js';
import { RedisSessionDirectory, redisSessionKeys } from './redis-session-directory.js';

/** Where shared sessions live in Redis, and how much of each session's past they keep. */
export interface RedisSessionsOptions extends Partial<ReplayLimits> {
  /** A connection of yours (left open by {@link RedisSessions.close}); else one is made from `url`. */
  readonly redis?: Redis;
  /** Where Redis is, when no `redis` is given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** What every key starts with; use the bus's (its epoch is shared). Default `nexus`. */
  readonly prefix?: string;
}

/** {@link SharedSessions} on Redis, for the server option `resume: { shared }`. */
export interface RedisSessions extends SharedSessions {
  readonly directory: RedisSessionDirectory;
  readonly log: RedisReplayStore;
  /** Closes the connection it made from `url` (not one you passed). */
  close(): Promise<void>;
}

/**
 * The session directory and replay logs of a cluster on Redis: give each node its own (one
 * connection keeps a node's writes in order) and the same `prefix` as its `RedisBus`.
 *
 * @example
 * const bus = new RedisBus({ url, nodeId });
 * const server = new WebSocketServerTransport({ cluster: bus, resume: { shared: redisSessions({ url }) } });
 * @see docs/scaling.md
 */
export function redisSessions(options: RedisSessionsOptions = {}): RedisSessions {
  const limits: ReplayLimits = {
    maxMessages: options.maxMessages ?? DEFAULT_RESUME.maxMessages,
    maxBytes: options.maxBytes ?? DEFAULT_RESUME.maxBytes,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_RESUME.maxAgeMs,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  const prefix = options.prefix ?? 'nexus';
  const redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { connectionName: `${prefix}:sessions` });
  const owned = options.redis ? undefined : redis;
  // ioredis reports failed reconnects here; the failed commands are reported where they were sent.
  owned?.on('error', () => undefined);
  const keys = redisSessionKeys(prefix);
  return {
    directory: new RedisSessionDirectory(redis, keys),
    log: new RedisReplayStore(redis, keys, limits),
    close: async () => {
      await owned?.quit().catch(() => owned.disconnect());
    },
  };
}
