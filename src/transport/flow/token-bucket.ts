import type { SchedulerLike } from 'rxjs';

/** How fast tokens come back and how many may pile up. */
export interface TokenBucketOptions {
  /** Tokens added per second: the sustained rate allowed. */
  readonly rate: number;
  /** Most tokens the bucket holds: the largest burst allowed after a quiet spell. */
  readonly burst: number;
}

/** A bucket at one instant. Plain data, so the arithmetic below stays pure and testable. */
export interface TokenBucketState {
  readonly tokens: number;
  /** Scheduler time (ms) at which `tokens` was last brought up to date. */
  readonly updatedAt: number;
}

/** A full bucket at `now`: a newcomer may burst at once. */
export const fullBucket = (options: TokenBucketOptions, now: number): TokenBucketState => ({ tokens: options.burst, updatedAt: now });

/** The bucket at `now`: tokens earned since `updatedAt`, capped at `burst`. A clock that went back earns nothing. */
export function refill(state: TokenBucketState, options: TokenBucketOptions, now: number): TokenBucketState {
  const elapsed = Math.max(0, now - state.updatedAt);
  return { tokens: Math.min(options.burst, state.tokens + (elapsed * options.rate) / 1000), updatedAt: Math.max(now, state.updatedAt) };
}

/** Takes `cost` tokens at `now` if there are enough; the state after, either way. */
export function take(
  state: TokenBucketState,
  options: TokenBucketOptions,
  now: number,
  cost = 1,
): { readonly allowed: boolean; readonly state: TokenBucketState } {
  const current = refill(state, options, now);
  if (current.tokens < cost) return { allowed: false, state: current };
  return { allowed: true, state: { tokens: current.tokens - cost, updatedAt: current.updatedAt } };
}

/** Milliseconds from `now` until `cost` tokens are there (0 if they already are). */
export function msUntilAvailable(state: TokenBucketState, options: TokenBucketOptions, now: number, cost = 1): number {
  const missing = cost - refill(state, options, now).tokens;
  return missing <= 0 ? 0 : Math.ceil((missing * 1000) / options.rate);
}

/** Throws a `RangeError` naming the option unless `rate > 0` and `burst >= 1`. */
export function validateTokenBucket<T extends TokenBucketOptions>(name: string, options: T): T {
  if (!(options.rate > 0)) throw new RangeError(`${name}.rate must be a positive number, got ${options.rate}`);
  if (!(options.burst >= 1)) throw new RangeError(`${name}.burst must be at least 1, got ${options.burst}`);
  return options;
}

/**
 * A token bucket whose clock is an rxjs scheduler: `TestScheduler` drives it in virtual time.
 *
 * @example
 * const bucket = new TokenBucket({ rate: 1000, burst: 2000 }, asyncScheduler);
 * if (!bucket.tryTake()) refuse();
 */
export class TokenBucket {
  private state: TokenBucketState;

  constructor(
    readonly options: TokenBucketOptions,
    private readonly scheduler: SchedulerLike,
  ) {
    this.state = fullBucket(options, scheduler.now());
  }

  /** Takes `cost` tokens if there are enough; says whether it did. */
  tryTake(cost = 1): boolean {
    const result = take(this.state, this.options, this.scheduler.now(), cost);
    this.state = result.state;
    return result.allowed;
  }

  /** Milliseconds until `cost` tokens are there. */
  msUntilAvailable(cost = 1): number {
    return msUntilAvailable(this.state, this.options, this.scheduler.now(), cost);
  }

  /** Whether the bucket has refilled completely: such a bucket is no different from a new one. */
  get isFull(): boolean {
    return refill(this.state, this.options, this.scheduler.now()).tokens >= this.options.burst;
  }
}

/**
 * One token bucket per key (a remote address), created full on first use. Buckets that have
 * refilled are forgotten when the map grows, so an address seen once costs nothing for long.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweepAt = 1024;

  constructor(
    readonly options: TokenBucketOptions,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** Takes one token from `key`'s bucket; says whether it could. */
  tryTake(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.sweepAt) this.sweep();
      bucket = new TokenBucket(this.options, this.scheduler);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  /** Milliseconds until `key` may take a token again. */
  msUntilAvailable(key: string): number {
    return this.buckets.get(key)?.msUntilAvailable() ?? 0;
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull) this.buckets.delete(key);
    // Amortised: the next sweep waits until the map has doubled again.
    this.sweepAt = Math.max(1024, this.buckets.size * 2);
  }
}
