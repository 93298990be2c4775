/** Exponential backoff with a cap, before jitter. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, ms. */
  readonly initialDelay: number;
  /** No delay ever exceeds this, ms. */
  readonly maxDelay: number;
}

/**
 * Full-jitter exponential backoff: a uniformly random delay in `[0, min(maxDelay, initialDelay·2^attempt))`.
 * Spreading retries over the whole window keeps a fleet of clients from reconnecting in lockstep
 * after a server restart.
 *
 * @param attempt 0 for the first retry after a failure, 1 for the second, …
 * @param random a source in [0, 1); injectable so tests can pin the jitter.
 * @example fullJitterDelay(3, { initialDelay: 500, maxDelay: 30_000 }) // somewhere in [0, 4000)
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelay, options.initialDelay * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}
