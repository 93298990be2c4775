import type { SchedulerLike } from 'rxjs';
import type { TransportError } from '../errors.js';
import { DEFAULT_STORE_TIMEOUT_MS, FallbackRateLimiter, type SharedLimitOptions } from './rate-limit-store.js';
import { KeyedTokenBuckets, TokenBucket, validateTokenBucket, type TokenBucketOptions } from './token-bucket.js';

/**
 * The message rate: a token bucket per connection (or per remote address, or per address across
 * the cluster with a `store`), plus how much refusing a client may take before it is cut off.
 */
export interface MessageRateOptions extends TokenBucketOptions, SharedLimitOptions {
  /** Messages per second one connection may sustain. Default 1000. */
  readonly rate: number;
  /** Messages one connection may send at once after a quiet spell. Default 2000. */
  readonly burst: number;
  /** Refused messages tolerated within `abuseWindowMs`; the next one closes the connection with 1008. Default 100. */
  readonly maxRefusals: number;
  /** The window over which refusals are counted, ms. Default 10000. */
  readonly abuseWindowMs: number;
  /**
   * One bucket for all connections from the same remote address (the TCP peer), instead of one per
   * connection. Implied by `store`, whose buckets are per address across every node. Default false.
   */
  readonly perAddress?: boolean;
}

export const DEFAULT_MESSAGE_RATE: MessageRateOptions = { rate: 1000, burst: 2000, maxRefusals: 100, abuseWindowMs: 10_000 };

/**
 * What to do with one incoming frame. `accept`: handle it. `refuse`: drop it and tell the
 * sender it was rate limited. `close`: drop it and close the connection with 1008 (the sender
 * kept going after being told).
 */
export type RateVerdict = 'accept' | 'refuse' | 'close';

export function resolveMessageRate(options: Partial<MessageRateOptions> | false | undefined): MessageRateOptions | undefined {
  if (options === false) return undefined;
  const resolved = { ...DEFAULT_MESSAGE_RATE, ...options };
  validateTokenBucket('messageRate', resolved);
  if (!(resolved.maxRefusals >= 0)) throw new RangeError(`messageRate.maxRefusals must be 0 or more, got ${resolved.maxRefusals}`);
  if (!(resolved.abuseWindowMs > 0)) throw new RangeError(`messageRate.abuseWindowMs must be positive, got ${resolved.abuseWindowMs}`);
  return resolved;
}

/**
 * One connection's message rate. Every frame costs a token, good or bad, so a flood of garbage is
 * limited like a flood of requests. Refusals are counted in a fixed window; past `maxRefusals`
 * the verdict is `close`, and it stays `close` for whatever the peer sends before it is gone.
 */
export class MessageRateLimiter {
  private readonly bucket: TokenBucket;
  private windowStart: number;
  private refusals = 0;
  private closed = false;

  constructor(
    private readonly options: MessageRateOptions,
    private readonly scheduler: SchedulerLike,
  ) {
    this.bucket = new TokenBucket(options, scheduler);
    this.windowStart = scheduler.now();
  }

  /** Judges one incoming frame by this connection's own bucket. */
  check(): RateVerdict {
    if (this.closed) return 'close';
    return this.judge(this.bucket.tryTake());
  }

  /** Whether the connection is already to be closed: nothing more needs a bucket. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The verdict on a frame whose token was (or was not) taken elsewhere: counts the refusals. */
  judge(allowed: boolean): RateVerdict {
    if (this.closed) return 'close';
    if (allowed) return 'accept';
    const now = this.scheduler.now();
    if (now - this.windowStart >= this.options.abuseWindowMs) {
      this.windowStart = now;
      this.refusals = 0;
    }
    this.refusals += 1;
    if (this.refusals <= this.options.maxRefusals) return 'refuse';
    this.closed = true;
    return 'close';
  }
}

/** A client whose message rate is judged: its limiter is made at its first frame. */
export interface RatedClient {
  messageRate: MessageRateLimiter | undefined;
  /** The TCP peer: the key of per-address rates. */
  readonly remoteAddress?: string | undefined;
}

type Verdict = 'refuse' | 'close' | undefined;
type FrameVerdict = (frame: { readonly client: RatedClient }) => Verdict | Promise<Verdict>;

/**
 * The verdict of the message-rate policy for one incoming frame of `client`: `undefined` to let it
 * through, `refuse` or `close` (see {@link RateVerdict}). Every frame costs a token, good or bad,
 * so a flood of garbage is limited like a flood of requests. Synchronous unless a `store` is given;
 * then a promise (the frame waits for the shared bucket), and `report` hears of a failing store.
 */
export function rateVerdict(options: MessageRateOptions, scheduler: SchedulerLike, report: (error: TransportError) => void = () => undefined): FrameVerdict {
  const limiterOf = (client: RatedClient): MessageRateLimiter => (client.messageRate ??= new MessageRateLimiter(options, scheduler));
  const { store, storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS } = options;
  if (store) {
    const shared = new FallbackRateLimiter(store, options, { scheduler, timeoutMs: storeTimeoutMs, name: 'messageRate', report });
    return async ({ client }) => {
      const limiter = limiterOf(client);
      if (limiter.isClosed) return 'close';
      const { allowed } = await shared.take(client.remoteAddress ?? 'unknown');
      return outcome(limiter.judge(allowed));
    };
  }
  if (options.perAddress === true) {
    const buckets = new KeyedTokenBuckets(options, scheduler);
    return ({ client }) => {
      const limiter = limiterOf(client);
      return limiter.isClosed ? 'close' : outcome(limiter.judge(buckets.tryTake(client.remoteAddress ?? 'unknown')));
    };
  }
  return ({ client }) => outcome(limiterOf(client).check());
}

function outcome(verdict: RateVerdict): Verdict {
  return verdict === 'accept' ? undefined : verdict;
}
