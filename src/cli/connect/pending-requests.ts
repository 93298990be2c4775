import { BehaviorSubject, type Observable } from 'rxjs';
import type { RequestId } from '../../protocol/index.js';
import { requestKey } from '../request-ids.js';

interface Pending {
  readonly id: RequestId;
  /** Handed to a socket (not just queued). */
  written: boolean;
  /** Written on a connection that has dropped since: its reply comes only if the session resumes. */
  exposed: boolean;
}

/**
 * The host's requests that the server has not answered yet, by id (a string id and a number id
 * never match). The bridge needs them twice: at the end of stdin it waits for their replies, and
 * when a dropped connection comes back with a fresh session, those written before the drop will
 * never be answered and get an error reply instead.
 */
export class PendingRequests {
  private readonly byKey = new Map<string, Pending>();
  private readonly sizeSubject = new BehaviorSubject(0);

  /** How many requests wait for a reply; replays the current count. */
  readonly size$: Observable<number> = this.sizeSubject.asObservable();

  get size(): number {
    return this.byKey.size;
  }

  add(id: RequestId): void {
    this.byKey.set(requestKey(id), { id, written: false, exposed: false });
    this.sizeSubject.next(this.byKey.size);
  }

  /** The request went out on a socket. */
  markWritten(id: RequestId): void {
    const pending = this.byKey.get(requestKey(id));
    if (pending) pending.written = true;
  }

  /** The request is settled (answered, cancelled by the host, or failed): forget it. Returns whether it was pending. */
  settle(id: RequestId): boolean {
    const known = this.byKey.delete(requestKey(id));
    if (known) this.sizeSubject.next(this.byKey.size);
    return known;
  }

  /** The connection dropped: every request already written depends on the session resuming. */
  connectionDropped(): void {
    for (const pending of this.byKey.values()) if (pending.written) pending.exposed = true;
  }

  /** The session resumed: the replies of exposed requests are in the replay. */
  sessionResumed(): void {
    for (const pending of this.byKey.values()) pending.exposed = false;
  }

  /** The session was not resumed: takes out (and returns) the ids whose replies are lost. */
  takeLost(): RequestId[] {
    const lost = [...this.byKey.values()].filter((pending) => pending.exposed).map((pending) => pending.id);
    for (const id of lost) this.byKey.delete(requestKey(id));
    this.sizeSubject.next(this.byKey.size);
    return lost;
  }

  complete(): void {
    this.sizeSubject.complete();
  }
}
