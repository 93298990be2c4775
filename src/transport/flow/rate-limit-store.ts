import { firstValueFrom, from, map, race, timer, type SchedulerLike } from 'rxjs';
import { ClusterError, type TransportError } from '../errors.js';
import { KeyedTokenBuckets, type TokenBucketOptions } from './token-bucket.js';

/** One answer of a {@link RateLimitStore}: whether the tokens were taken, and when to try again if not. */
export interface RateLimitTake {
  readonly allowed: boolean;
  /** Milliseconds until `cost` tokens are there (0 when allowed). */
  readonly retryAfterMs: number;
}

/**
 * Where token buckets live when a limit must hold across the nodes of a cluster: every node takes
 * from the same bucket per key. `RedisRateLimiter` (`nexus-mcp/redis`) is one. Without a store,
 * limits are kept in process (the default, and the fast path: no promise per check).
 */
export interface RateLimitStore {
  /** Takes `cost` tokens from `key`'s bucket (full when new); keys of one store never collide with another's. */
  take(key: string, bucket: TokenBucketOptions, cost: number): Promise<RateLimitTake>;
}

/** A limit whose buckets may live in a shared store. */
export interface SharedLimitOptions {
  /** Keep the buckets here, shared by every node that uses the same store. Default: in this process. */
  readonly store?: RateLimitStore;
  /**
   * How long a check waits for the store before deciding by this node's own bucket instead, ms.
   * Default 250.
   */
  readonly storeTimeoutMs?: number;
}

/**
 * New connections per remote address: a token bucket, kept in this process unless a `store` is
 * given — then the limit holds across every node sharing the store.
 */
export interface ConnectionRateOptions extends TokenBucketOptions, SharedLimitOptions {}

export const DEFAULT_STORE_TIMEOUT_MS = 250;

/** While a store fails, how often a check asks it again, ms. */
const STORE_RETRY_MS = 1000;

/**
 * A shared limit that survives its store. Each check asks the store; when the store fails or does
 * not answer within `storeTimeoutMs` (Redis down or frozen), the check is decided by an in-process
 * bucket with the same rate, so a broker outage neither locks every client out (fail-closed) nor
 * lifts the limit entirely (fail-open): for its duration the limit holds per node. The first
 * failure of an outage is reported (a {@link ClusterError}); the next answer from the store ends it.
 */
export class FallbackRateLimiter {
  private readonly local: KeyedTokenBuckets;
  private failing = false;
  /** While failing, the store is asked again only from this time on (scheduler ms); until then, local. */
  private retryAt = 0;

  constructor(
    private readonly store: RateLimitStore,
    private readonly bucket: TokenBucketOptions,
    private readonly options: {
      readonly scheduler: SchedulerLike;
      readonly timeoutMs: number;
      /** What the limit is called in reports (`connectionRate`, `messageRate`). */
      readonly name: string;
      readonly report: (error: TransportError) => void;
    },
  ) {
    this.local = new KeyedTokenBuckets(bucket, options.scheduler);
  }

  async take(key: string): Promise<RateLimitTake> {
    const { scheduler, timeoutMs, name } = this.options;
    if (this.failing && scheduler.now() < this.retryAt) return this.takeLocally(key);
    try {
      const answer = await firstValueFrom(
        race(
          from(this.store.take(`${name}:${key}`, this.bucket, 1)),
          timer(timeoutMs, scheduler).pipe(
            map(() => {
              throw new Error(`no answer within ${timeoutMs} ms (storeTimeoutMs)`);
            }),
          ),
        ),
      );
      this.failing = false;
      return answer;
    } catch (error) {
      this.failed(error);
      return this.takeLocally(key);
    }
  }

  private takeLocally(key: string): RateLimitTake {
    const allowed = this.local.tryTake(key);
    return { allowed, retryAfterMs: allowed ? 0 : this.local.msUntilAvailable(key) };
  }

  private failed(error: unknown): void {
    // One check a second goes on asking the store; the rest do not wait for it meanwhile.
    this.retryAt = this.options.scheduler.now() + STORE_RETRY_MS;
    if (this.failing) return;
    this.failing = true;
    const cause = error instanceof Error ? error : new Error(String(error));
    this.options.report(
      new ClusterError(`The shared ${this.options.name} store failed (${cause.message}); each node limits by its own count until it answers again`, { cause }),
    );
  }
}
