import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../src/transport/operators/backoff.js';

const policy = { initialDelay: 100, maxDelay: 1000 };

describe('fullJitterDelay', () => {
  it('spans [0, initialDelay·2^attempt) with the random source pinned at its ends', () => {
    expect([0, 1, 2, 3].map((attempt) => fullJitterDelay(attempt, policy, () => 0))).toEqual([0, 0, 0, 0]);
    expect([0, 1, 2, 3].map((attempt) => fullJitterDelay(attempt, policy, () => 0.999_999))).toEqual([99, 199, 399, 799]);
    expect([0, 1, 2, 3].map((attempt) => fullJitterDelay(attempt, policy, () => 0.5))).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds maxDelay, however many attempts', () => {
    expect(fullJitterDelay(4, policy, () => 0.999_999)).toBe(999);
    expect(fullJitterDelay(10_000, policy, () => 0.999_999)).toBe(999);
    expect(fullJitterDelay(10_000, policy, () => 0.5)).toBe(500);
  });

  it('is a whole number in [0, min(maxDelay, initialDelay·2^attempt)) for any input', () => {
    fc.assert(
      fc.property(
        fc.nat(2000),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelay, maxDelay, random) => {
          const delay = fullJitterDelay(attempt, { initialDelay, maxDelay }, () => random);
          const ceiling = Math.min(maxDelay, initialDelay * 2 ** attempt);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });
});
