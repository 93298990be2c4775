import { defer, firstValueFrom, fromEvent, map, race, timer, type Observable, type SchedulerLike } from 'rxjs';
import { jsonRpcRequest } from '../../../protocol/index.js';
import type { McpSession } from '../sessions/session.js';

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
 * the client has read the notifications: the pong to a ping frame sent behind them (`readReceipt`),
 * or, on one ordered stream without ping frames (stdio), the answer to an MCP `ping` request sent
 * behind them — a client handles its input in order, so it has handled the notifications first.
 *
 * Resolves at once when the peer cannot give receipts, and early when the wait is pointless: the
 * request's signal was aborted (cancelled, disconnected, the server is stopping), the connection is
 * gone, or `timeoutMs` passed (a client that does not answer still gets its reply).
 */
export function afterNotificationsRead(session: McpSession, signal: AbortSignal, policy: ReceiptPolicy): Promise<void> {
  const receipt = session.peer.readReceipt?.() ?? pingReceipt(session, signal, policy);
  if (receipt === undefined || signal.aborted) return Promise.resolve();
  const ended = race(receipt, timer(policy.timeoutMs, policy.scheduler), fromEvent(signal, 'abort'));
  return firstValueFrom(ended.pipe(map(() => undefined)));
}

/** The answer to an MCP `ping` as a receipt, where the link is one ordered stream and the session has one (2026-07-28 has no ping). */
function pingReceipt(session: McpSession, signal: AbortSignal, policy: ReceiptPolicy): Observable<void> | undefined {
  if (session.peer.inOrder !== true || session.handshake !== 'ready') return undefined;
  return defer(() =>
    session.outgoing
      .request({ method: 'ping', timeoutMs: policy.timeoutMs, signal, send: (id, method, params) => session.send(jsonRpcRequest(id, method, params)) })
      // Any answer will do, even an error: the client read its input up to the ping.
      .then(
        () => undefined,
        () => undefined,
      ),
  );
}
