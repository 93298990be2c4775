import { interval, Subscription, type SchedulerLike } from 'rxjs';
import type { AuthInfo } from '../../security/authenticate.js';
import type { PeerLink } from '../edge.js';
import type { HttpSessionLink } from './http-links.js';
import type { HttpProblem } from './http-problems.js';
import type { HttpSessionDirectory } from './session-directory.js';

/** A session this node serves: the server's peer for it, its link, and who opened it. */
export interface HttpSession {
  readonly peer: unknown;
  readonly link: HttpSessionLink;
  /** The principal that opened it: only they may use it. */
  readonly owner: string | undefined;
}

/** Makes this node's peer for session `id`, opened by `owner` on another node; `undefined` when the server turned it away. */
export type TakeUp = (id: string, owner: string | undefined) => HttpSession | undefined;

/**
 * The Streamable HTTP sessions this node serves, by id. A request naming one is served only to the
 * principal that opened it; another principal's session is answered like an unknown one, so a
 * leaked id confirms nothing. With a directory, it is asked before every such request (the session
 * may have ended or expired elsewhere, and asking keeps it alive), and a session ended elsewhere
 * is let go here. A session idle past its time with no stream open is let go.
 */
export class HttpSessions {
  private readonly byId = new Map<string, HttpSession>();
  private readonly upkeep = new Subscription();

  constructor(
    /** Where sessions live beyond this node; `undefined`: a session lives on the node that opened it. */
    readonly directory: HttpSessionDirectory | undefined,
    idleMs: number,
    scheduler: SchedulerLike,
  ) {
    this.upkeep.add(interval(Math.min(idleMs, 60_000), scheduler).subscribe(() => this.sweep(idleMs, scheduler.now())));
    if (directory) {
      this.upkeep.add(directory.ended$.subscribe((sessionId) => this.byId.get(sessionId)?.link.close(1000, 'Session ended by the client')));
      this.upkeep.add(interval(directory.keepAliveMs, scheduler).subscribe(() => this.keepListenersAlive(directory)));
    }
  }

  /** A peer for session `id` joined this node (it opened the session, or took it up). */
  add(id: string, session: HttpSession): void {
    this.byId.set(id, session);
    this.directory?.joined(id, session.peer);
  }

  /** `link` ended: its session is forgotten here, unless a newer link serves it already. */
  ended(id: string, link: PeerLink): void {
    if (this.byId.get(id)?.link === link) this.byId.delete(id);
  }

  /** The session a request names, or the problem to answer with; a session another node opened is taken up with `takeUp`. */
  async find(sessionId: string | undefined, authInfo: AuthInfo | undefined, takeUp: TakeUp): Promise<HttpSession | HttpProblem> {
    if (sessionId === undefined) return 'session_required';
    const { directory } = this;
    if (!directory) return this.local(sessionId, authInfo);
    let entry;
    try {
      entry = await directory.find(sessionId, authInfo?.clientId);
    } catch {
      return 'unavailable';
    }
    if (!entry) return this.notFound(sessionId);
    // Another principal's session is answered like an unknown one, and left alone.
    if (entry.owner !== authInfo?.clientId) return 'session_not_found';
    return this.byId.get(sessionId) ?? takeUp(sessionId, entry.owner) ?? 'unavailable';
  }

  /** Ends the session (DELETE): here, and with a directory on every node (a session only another node held is ended too). */
  async end(sessionId: string | undefined, authInfo: AuthInfo | undefined): Promise<HttpProblem | undefined> {
    if (sessionId === undefined) return 'session_required';
    const { directory } = this;
    if (!directory) {
      const session = this.local(sessionId, authInfo);
      if (typeof session === 'string') return session;
      session.link.close(1000, 'Session ended by the client');
      return undefined;
    }
    try {
      const entry = await directory.find(sessionId, authInfo?.clientId);
      if (!entry) return this.notFound(sessionId);
      if (entry.owner !== authInfo?.clientId) return 'session_not_found';
      await directory.end(sessionId);
    } catch {
      return 'unavailable';
    }
    this.byId.get(sessionId)?.link.close(1000, 'Session ended by the client');
    return undefined;
  }

  /** Stops the sweeps; the server closes the open sessions as it closes every client. */
  stop(): void {
    this.upkeep.unsubscribe();
  }

  private local(sessionId: string, authInfo: AuthInfo | undefined): HttpSession | HttpProblem {
    const session = this.byId.get(sessionId);
    return session && session.owner === authInfo?.clientId ? session : 'session_not_found';
  }

  /** The directory does not know the session (expired, ended): whatever this node held of it goes too. */
  private notFound(sessionId: string): HttpProblem {
    this.byId.get(sessionId)?.link.close(1001, 'Session expired');
    return 'session_not_found';
  }

  /** Ends the sessions that have been idle past `idleMs` with no stream open. */
  private sweep(idleMs: number, now: number): void {
    for (const { link } of [...this.byId.values()]) {
      if (now - link.lastSeen >= idleMs && !link.hasOpenStreams) link.close(1001, 'Session idle');
    }
  }

  /** A session whose GET stream this node holds is in use: the directory keeps it alive. */
  private keepListenersAlive(directory: HttpSessionDirectory): void {
    const listening = [...this.byId.entries()].filter(([, { link }]) => link.isListening).map(([id]) => id);
    if (listening.length === 0) return;
    directory.keepAlive(listening).then(
      (gone) => gone.forEach((id) => this.byId.get(id)?.link.close(1001, 'Session expired')),
      // The directory reports its own failures; the streams stay open and the next round tries again.
      () => undefined,
    );
  }
}
