import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import { ClusterError, type TransportError } from '../errors.js';
import type { NewSession, SessionDirectory, SessionState } from './session-directory.js';

/** What became of spending a token in the shared directory for a resume on this node. */
export type LocalClaim =
  /** Spent: the session resumes here with the next token. */
  | 'claimed'
  /** Spent already: another node took the session over meanwhile. */
  | 'taken'
  /** The directory could not be reached (reported): the session is here, so it resumes anyway. */
  | 'unreachable';

/**
 * This node's records in the directory the nodes of a cluster share. The sessions themselves live
 * on this node, so the records are kept best effort: a directory that cannot be reached is
 * reported as a {@link ClusterError} and never fails the session it was written for.
 */
export class SharedRecords {
  constructor(
    private readonly directory: SessionDirectory,
    /** How long a record lives without renewal. */
    private readonly ttlMs: number,
    private readonly nodeId: () => string,
    private readonly report: (error: TransportError) => void,
  ) {}

  /** Renews the records of the sessions this node holds every `periodMs`: a dead node's lapse. */
  renewEvery(periodMs: number, scheduler: SchedulerLike, held: () => readonly string[]): Subscription {
    return interval(periodMs, scheduler).subscribe(() => {
      const ids = held();
      if (ids.length > 0) this.track(this.directory.touch(ids, this.ttlMs), 'renew session records');
    });
  }

  /** Records a session opened on this node, resumable with `token`. */
  open(session: NewSession, token: string): void {
    this.track(this.directory.open(session, token, this.ttlMs), 'record a session');
  }

  /** The session's client left (`held`) or came back (`attached`). */
  mark(sessionId: string, state: SessionState): void {
    this.track(this.directory.mark(sessionId, state, this.ttlMs), `mark a session ${state}`);
  }

  /** The session ended for good on this node. */
  forget(sessionId: string): void {
    this.track(this.directory.forget(sessionId, this.nodeId()), 'forget a session');
  }

  /** A resume of a session this node holds spends its token here too: single use across nodes. */
  async claim(token: string, sessionId: string, next: string): Promise<LocalClaim> {
    try {
      const claimed = await this.directory.claim(token, sessionId, next, this.nodeId(), this.ttlMs);
      return claimed === undefined ? 'taken' : 'claimed';
    } catch (error) {
      this.failed(error, 'spend a session token');
      return 'unreachable';
    }
  }

  /** Reports work on a shared session that failed. */
  failed(error: unknown, what: string): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.report(new ClusterError(`Could not ${what} in the shared session store: ${cause.message}`, { cause }));
  }

  private track(work: Promise<unknown>, what: string): void {
    work.catch((error: unknown) => this.failed(error, what));
  }
}
