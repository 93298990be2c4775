import { retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';
import { classifyCloseCode } from './close-codes.js';
import { SocketClosed } from './client-socket.js';

export interface ReconnectPolicy extends BackoffOptions {
  /** Retries after a failure before giving up; the count starts again after each successful open. */
  readonly maxRetries: number;
}

/**
 * Resubscribes to a connection Observable after it errors with a retryable {@link SocketClosed},
 * waiting a full-jitter backoff delay; a fatal close code (see `classifyCloseCode`) or running out
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
      const delayMs = fullJitterDelay(attempt - 1, policy, random);
      onRetry(attempt, delayMs, error);
      return timer(delayMs, scheduler);
    },
  });
}
