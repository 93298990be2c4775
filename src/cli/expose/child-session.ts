import { Subscription, timer, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import type { Related } from '../../transport/index.js';
import { cancelledIdOf, requestIdOf, requestKey, responseIdOf } from '../request-ids.js';
import type { StdioChild } from '../../transport/client/stdio-child.js';
import { RequestStreams } from './request-streams.js';

/**
 * One client session and the child process that serves it alone: messages pass through untouched
 * (ids included), and the session counts what it waits for, so the idle timer only ends a session
 * with nothing going on: no traffic either way for `idleTimeoutMs` and no request of the client
 * unanswered.
 */
export class ChildSession {
  /** The client's requests the child has not answered yet. */
  private readonly unanswered = new Set<string>();
  /** Which request each message of the child belongs to (an HTTP session answers each on its own response). */
  private readonly streams = new RequestStreams();
  private idleTimer: Subscription | undefined;

  constructor(
    /** The transport's id for the client (a WebSocket connection, or a Streamable HTTP session). */
    readonly clientId: string,
    readonly child: StdioChild,
    private readonly idle: { readonly timeoutMs: number | undefined; readonly scheduler: SchedulerLike; readonly onIdle: () => void },
  ) {
    this.touch();
  }

  /** A message from the client, to the child as it came. */
  fromClient(message: JsonObject): void {
    const id = requestIdOf(message);
    if (id !== undefined) this.unanswered.add(requestKey(id));
    const cancelled = cancelledIdOf(message);
    if (cancelled !== undefined) this.unanswered.delete(requestKey(cancelled));
    this.streams.fromClient(message);
    this.child.send(message);
    this.touch();
  }

  /** A message from the child, on its way to the client: returns the request it belongs to (the transport's `relatedTo`). */
  fromChild(message: JsonObject): Related | string | undefined {
    const id = responseIdOf(message);
    if (id !== undefined) this.unanswered.delete(requestKey(id));
    this.touch();
    return this.streams.relatedTo(message);
  }

  /** The session is over: no more idle timer. */
  end(): void {
    this.idleTimer?.unsubscribe();
  }

  /** Restarts the idle timer; when it fires while a request is still unanswered, it waits another round. */
  private touch(): void {
    const { timeoutMs, scheduler, onIdle } = this.idle;
    if (timeoutMs === undefined) return;
    this.idleTimer?.unsubscribe();
    this.idleTimer = timer(timeoutMs, scheduler).subscribe(() => {
      if (this.unanswered.size > 0) this.touch();
      else onIdle();
    });
  }
}
