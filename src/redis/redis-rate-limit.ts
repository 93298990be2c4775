import { Redis } from 'ioredis';
import type { RateLimitStore, RateLimitTake } from '../transport/flow/rate-limit-store.js';
import type { TokenBucketOptions } from '../transport/flow/token-bucket.js';
import { CommandCounter, LUA_NOW, LuaScript } from './redis-lua-script.js';

/** Where a {@link RedisRateLimiter} keeps its buckets. */
export interface RedisRateLimiterOptions {
  /** Where Redis is. Default `redis://127.0.0.1:6379`. Ignored with `redis`. */
  readonly url?: string;
  /** A connection of yours instead of `url` (not closed by `close()`). */
  readonly redis?: Redis;
  /** What every key starts with: `<prefix>:rate:<limit>:<key>`. Default `nexus`. */
  readonly prefix?: string;
}

/**
 * A token bucket per key, atomically: refilled by the time elapsed on Redis's own clock (one clock
 * for every node), taken from if it holds `cost`, and expiring once it would be full again, so idle
 * addresses cost nothing. KEYS: the bucket; ARGV: rate per second, burst, cost.
 * Returns `[allowed, ms until cost tokens are there]`.
 */
const TAKE = new LuaScript(`${LUA_NOW}
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if not tokens or not at then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed, wait = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, wait}
`);

/**
 * Rate limits that hold across every node of a cluster: pass it as `store` of `connectionRate` or
 * `messageRate`, the same Redis for every node. One script call per check, no round trip more.
 * When Redis fails or is slow, the server decides by each node's own bucket meanwhile and reports
 * it on `errors$` (see `SharedLimitOptions`): nobody is locked out by a broker outage.
 *
 * @example
 * const limits = new RedisRateLimiter({ url: 'redis://redis:6379' });
 * new WebSocketServerTransport({ connectionRate: { rate: 5, burst: 10, store: limits }, messageRate: { rate: 100, burst: 200, store: limits } });
 * // after the server stops:
 * limits.close();
 */
export class RedisRateLimiter implements RateLimitStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly counter = new CommandCounter();

  constructor(options: RedisRateLimiterOptions = {}) {
    this.prefix = options.prefix ?? 'nexus';
    this.owned = options.redis === undefined;
    // A check waits for a connection at most until the next reconnect attempt fails (no retries),
    // and the server waits for it at most storeTimeoutMs before deciding by its own bucket.
    this.redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 0, enableAutoPipelining: true });
    // ioredis reports every failed reconnect here; the failed checks are what the server reports.
    if (this.owned) this.redis.on('error', () => undefined);
  }

  /** Commands sent to Redis so far: a diagnostic. */
  get commands(): number {
    return this.counter.count;
  }

  async take(key: string, bucket: TokenBucketOptions, cost: number): Promise<RateLimitTake> {
    const reply = (await TAKE.run(this.redis, this.counter, [`${this.prefix}:rate:${key}`], [bucket.rate, bucket.burst, cost])) as [number, number];
    return { allowed: reply[0] === 1, retryAfterMs: reply[1] };
  }

  /** Closes the connection it made (not one it was given). */
  close(): void {
    if (this.owned) this.redis.disconnect();
  }
}
