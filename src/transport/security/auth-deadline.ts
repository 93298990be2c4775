import type { IncomingMessage } from 'node:http';
import { Subscription, timer, type SchedulerLike } from 'rxjs';
import { toUpgradeRequest, type AuthOutcome, type Authenticate } from './authenticate.js';

/** How one run of the `authenticate` hook ended. */
export type HookResult =
  | { readonly kind: 'answered'; readonly outcome: AuthOutcome }
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The deadline passed first; the hook's signal was aborted and a late answer is ignored. */
  | { readonly kind: 'timed_out' }
  /** The client closed the connection (or the server destroyed it) first; the hook's signal was aborted. */
  | { readonly kind: 'client_gone' };

/**
 * Runs the hook on `request` with a deadline. Once the upgrade is an upgrade, Node's HTTP timeouts
 * no longer apply to its socket: without this, a hook that never settles would hold the socket
 * for good. The hook's `signal` is aborted at the deadline, or as soon as the client goes away,
 * so it can stop its own work. Never rejects.
 */
export function authenticateWithin(
  authenticate: Authenticate,
  request: IncomingMessage,
  timeoutMs: number,
  scheduler: SchedulerLike,
): Promise<HookResult> {
  const socket = request.socket;
  const controller = new AbortController();
  if (socket.destroyed || socket.readableEnded) {
    controller.abort(new DOMException('The client closed the connection', 'AbortError'));
    return Promise.resolve({ kind: 'client_gone' });
  }
  return new Promise<HookResult>((resolve) => {
    const cleanup = new Subscription();
    let settled = false;
    const settle = (result: HookResult, abortReason?: DOMException): void => {
      if (settled) return;
      settled = true;
      cleanup.unsubscribe();
      if (abortReason) controller.abort(abortReason);
      resolve(result);
    };
    const onGone = (): void => settle({ kind: 'client_gone' }, new DOMException('The client closed the connection', 'AbortError'));
    // 'end': the client sent FIN (an upgrade socket is half-open, so no 'close' follows by itself);
    // 'close': the socket is gone, e.g. destroyed by stop().
    socket.once('end', onGone);
    socket.once('close', onGone);
    cleanup.add(() => {
      socket.off('end', onGone);
      socket.off('close', onGone);
    });
    cleanup.add(
      timer(timeoutMs, scheduler).subscribe(() =>
        settle({ kind: 'timed_out' }, new DOMException(`authenticate did not answer within ${timeoutMs} ms`, 'TimeoutError')),
      ),
    );
    let answer: AuthOutcome | Promise<AuthOutcome>;
    try {
      answer = authenticate(toUpgradeRequest(request, controller.signal));
    } catch (error) {
      settle({ kind: 'failed', error });
      return;
    }
    // A late rejection lands here too, after settle() has stopped listening: it is never unhandled.
    Promise.resolve(answer).then(
      (outcome) => settle({ kind: 'answered', outcome }),
      (error: unknown) => settle({ kind: 'failed', error }),
    );
  });
}
