import { firstValueFrom, fromEvent, map, race, timer, type SchedulerLike } from 'rxjs';
import type { McpSession } from './session.js';

/** How long a reply waits for the client's read receipt, and on which clock. */
export interface ReceiptPolicy {
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
}

/** `notificationReceiptMs` when not set: long enough for any sane round trip, short enough to forgive a client that never pongs. */
export const DEFAULT_NOTIFICATION_RECEIPT_MS = 2000;

/**
 * Resolves when the reply of a request that sent notifications (progress, log) may go out.
 *
 * A client may read several frames in one go and handle notifications later than responses: the
 * official SDK (1.32) runs a notification handler a microtask after the frame, settles a response
 * at once, and forgets the request's progress handler with it, so progress read together with its
 * response is lost. Separate writes do not help (the client reads whatever has arrived, and a turn
 * of our event loop is far shorter than the client's wake-up), so the reply waits for proof that
 * the client has read the notifications: the pong to a ping sent behind them (`readReceipt`).
 *
 * Resolves at once when the peer cannot give receipts, and early when the wait is pointless: the
 * request's signal was aborted (cancelled, disconnected, the server is stopping), the connection is
 * gone, or `timeoutMs` passed (a client that does not answer pings still gets its reply).
 */
export function afterNotificationsRead(session: McpSession, signal: AbortSignal, policy: ReceiptPolicy): Promise<void> {
  const receipt = session.peer.readReceipt?.();
  if (receipt === undefined || signal.aborted) return Promise.resolve();
  const ended = race(receipt, timer(policy.timeoutMs, policy.scheduler), fromEvent(signal, 'abort'));
  return firstValueFrom(ended.pipe(map(() => undefined)));
}
