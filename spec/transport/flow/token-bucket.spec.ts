import { asyncScheduler, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fullBucket, KeyedTokenBuckets, msUntilAvailable, refill, take, TokenBucket } from '../../../src/transport/flow/token-bucket.js';
import { MessageRateLimiter, resolveMessageRate, type RateVerdict } from '../../../src/transport/flow/message-rate.js';
import { testScheduler } from '../../support/marbles.js';

const options = { rate: 10, burst: 3 };

describe('token bucket arithmetic', () => {
  it('starts full, empties by the burst, then refuses', () => {
    let state = fullBucket(options, 0);
    const verdicts: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const result = take(state, options, 0);
      verdicts.push(result.allowed);
      state = result.state;
    }
    expect(verdicts).toEqual([true, true, true, false]);
  });

  it('earns tokens at `rate` per second and never more than `burst`', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(refill(empty, options, 100).tokens).toBeCloseTo(1);
    expect(refill(empty, options, 250).tokens).toBeCloseTo(2.5);
    expect(refill(empty, options, 60_000).tokens).toBe(3);
  });

  it('earns nothing when the clock goes back', () => {
    const state = { tokens: 1, updatedAt: 1000 };
    expect(refill(state, options, 500)).toEqual(state);
  });

  it('says how long until a token is there', () => {
    expect(msUntilAvailable({ tokens: 0, updatedAt: 0 }, options, 0)).toBe(100);
    expect(msUntilAvailable({ tokens: 0.5, updatedAt: 0 }, options, 0)).toBe(50);
    expect(msUntilAvailable({ tokens: 1, updatedAt: 0 }, options, 0)).toBe(0);
  });
});

describe('TokenBucket in virtual time', () => {
  it('allows one more message per 1/rate seconds after a burst', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // asyncScheduler reads virtual time inside run().
      const bucket = new TokenBucket(options, asyncScheduler);
      // Four attempts at 0 ms, one at 50 ms (no token back yet), one at 100 ms (one token back).
      const verdicts = cold('(abcd) 46ms e 49ms f|').pipe(map(() => bucket.tryTake()));
      expectObservable(verdicts).toBe('(abcd) 46ms e 49ms f|', { a: true, b: true, c: true, d: false, e: false, f: true });
    });
  });
});

describe('KeyedTokenBuckets', () => {
  it('keeps one bucket per key', () => {
    testScheduler().run(() => {
      const buckets = new KeyedTokenBuckets({ rate: 1, burst: 1 }, asyncScheduler);
      expect(buckets.tryTake('10.0.0.1')).toBe(true);
      expect(buckets.tryTake('10.0.0.1')).toBe(false);
      expect(buckets.tryTake('10.0.0.2')).toBe(true);
      expect(buckets.msUntilAvailable('10.0.0.1')).toBe(1000);
    });
  });

  it('forgets refilled buckets once the map grows, so memory follows the active keys', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const buckets = new KeyedTokenBuckets({ rate: 1000, burst: 1 }, asyncScheduler);
      const sizes = cold('a 9ms b|').pipe(
        map(() => {
          for (let i = 0; i < 1024; i += 1) buckets.tryTake(`key-${i}-${buckets.size}`);
          return buckets.size;
        }),
      );
      // At 10 ms every earlier bucket has refilled, so the sweep drops them before adding new keys.
      expectObservable(sizes).toBe('a 9ms b|', { a: 1024, b: 1024 });
    });
  });
});

describe('MessageRateLimiter', () => {
  it('accepts the burst, refuses `maxRefusals` messages, then closes and stays closed', () => {
    testScheduler().run(() => {
      const limiter = new MessageRateLimiter(required(resolveMessageRate({ rate: 1, burst: 2, maxRefusals: 2 })), asyncScheduler);
      const verdicts: RateVerdict[] = Array.from({ length: 6 }, () => limiter.check());
      expect(verdicts).toEqual(['accept', 'accept', 'refuse', 'refuse', 'close', 'close']);
    });
  });

  it('counts refusals per window: a client that backs off is not closed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limiter = new MessageRateLimiter(
        required(resolveMessageRate({ rate: 0.001, burst: 1, maxRefusals: 1, abuseWindowMs: 100 })),
        asyncScheduler,
      );
      const verdicts = cold('(ab) 97ms c|').pipe(map(() => limiter.check()));
      expectObservable(verdicts).toBe('(ab) 97ms c|', { a: 'accept', b: 'refuse', c: 'refuse' });
    });
  });

  it('validates its options', () => {
    expect(() => resolveMessageRate({ rate: 0 })).toThrow(RangeError);
    expect(() => resolveMessageRate({ burst: 0 })).toThrow(RangeError);
    expect(resolveMessageRate(false)).toBeUndefined();
    expect(resolveMessageRate(undefined)).toEqual({ rate: 1000, burst: 2000, maxRefusals: 100, abuseWindowMs: 10_000 });
  });
});

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
