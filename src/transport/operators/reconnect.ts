import { retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';
import { classifyCloseCode } from '../close-codes.js';
import { SocketClosed } from '../client/client-socket.js';

/** How a client retries after a drop: full-jitter backoff between `initialDelay` and `maxDelay`, at most `maxRetries` times in a row. */
export interface ReconnectPolicy extends BackoffOptions {
  /** Retries after a failure before giving up; the count starts again after each successful open. */
  readonly maxRetries: number;
}

/**
 * Resubscribes to a connection Observable after it errors with a retryable {@link SocketClosed},
 * waiting a full-jitter backoff delay, or the server's `Retry-After` when that is longer (capped at
 * `maxDelay`); a fatal close code (see `classifyCloseCode`) or running out
 * of retries lets the error through. Any emission (an open) resets the retry count.
 *
 * @param onRetry told before each wait: the attempt number (1-based), the delay, and why.
 */
export function reconnect<T>(
  policy: ReconnectPolicy,
  scheduler: SchedulerLike,
  random: () => number,
  onRetry: (attempt: number, delayMs: number, cause: SocketClosed) => void = () => undefined,
): MonoTypeOperatorFunction<T> {
  return retry({
    count: policy.maxRetries,
    resetOnSuccess: true,
    delay: (error: unknown, attempt: number) => {
      if (!(error instanceof SocketClosed) || classifyCloseCode(error.code) === 'fatal') return throwError(() => error);
      // A server that said when to come back (429 with Retry-After) is not asked sooner, up to maxDelay.
      const asked = Math.min(error.retryAfterMs ?? 0, policy.maxDelay);
      const delayMs = Math.max(fullJitterDelay(attempt - 1, policy, random), asked);
      onRetry(attempt, delayMs, error);
      return timer(delayMs, scheduler);
    },
  });
}
