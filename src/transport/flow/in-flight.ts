import { defer, of, Subject, take, type Observable } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import type { StartsWork } from './stopping.js';

/** Default most unfinished handler calls one connection may have. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

/** A client that keeps the count of its own unfinished handler calls: one number per idle connection, nothing more. */
export interface CountsCalls {
  pendingCalls: number;
}

/**
 * Unfinished handler calls, per client and in all. A call is unfinished from the moment the handler
 * is called until its result settles: at once for a plain value, when a promise settles, when an
 * Observable completes, errors or is unsubscribed. The in-flight cap reads the per-client count;
 * a graceful stop waits for the total to reach zero.
 */
export class InFlightCalls {
  private running = 0;
  private readonly idleSubject = new Subject<void>();

  /** Emits once no call is unfinished (at once if none is), then completes. */
  readonly idle$: Observable<void> = defer(() => (this.running === 0 ? of(undefined) : this.idleSubject.pipe(take(1))));

  /** Calls not yet finished, across every client. */
  get count(): number {
    return this.running;
  }

  begin(client: CountsCalls): void {
    client.pendingCalls += 1;
    this.running += 1;
  }

  end(client: CountsCalls): void {
    client.pendingCalls -= 1;
    this.running -= 1;
    if (this.running === 0) this.idleSubject.next();
  }
}

/**
 * The verdict of the in-flight cap: a message that would start work while its client already has
 * `max` calls unfinished is refused. Only calls still running hold a slot, so one client cannot
 * pile up unbounded work, and a client whose handlers answer at once is never refused.
 */
export function inFlightVerdict(
  max: number,
  startsWork: StartsWork,
): (item: { readonly client: CountsCalls; readonly message: JsonObject }) => 'overloaded' | undefined {
  return ({ client, message }) => (client.pendingCalls >= max && startsWork(message) ? 'overloaded' : undefined);
}
