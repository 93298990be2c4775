import { filter, Subject, timer, type Observable, type SchedulerLike } from 'rxjs';
import { CloseCode } from '../close-codes.js';
import type { CloseInfo, PeerArrival } from '../edges/edge.js';
import { ResumeRefusedError } from '../errors.js';
import type { AuthInfo } from '../security/authenticate.js';
import type { Connection } from '../server/connection.js';
import { answersPing } from './liveness.js';
import type { ReplayStore } from './replay-log.js';
import type { SessionRequest } from './session-request.js';
import { ResumableSession } from './session-resumption.js';

/** A dropped client that resumed its session on a new connection. */
export interface Resumption {
  readonly clientId: string;
  /** Frames it missed while away, sent again in order. */
  readonly replayed: number;
}

/** Session resumption as the server runs it. */
export interface SessionSettings {
  readonly windowMs: number;
  readonly liveCheckMs: number;
  readonly store: ReplayStore;
}

/** What became of an arrival that asked to resume. */
export type ResumeOutcome =
  | { readonly resumed: Connection }
  | { readonly resumed?: undefined; readonly expired: string; readonly refused?: ResumeRefusedError };

const UNKNOWN_SESSION = 'Session expired or unknown';

/**
 * The server's side of session resumption: opens sessions for the clients that ask, keeps a
 * dropped client for the resume window, moves it onto the connection it comes back on and replays
 * what it missed. The token that names a session is a bearer credential, so it is single-use,
 * bound to the principal that opened the session, and never lets anyone take a session from a
 * connection that is still alive (see docs/security.md).
 */
export class SessionHost {
  /** Sessions by their current token. */
  private readonly sessions = new Map<string, Connection>();
  private readonly resumptionsSubject = new Subject<Resumption>();
  private readonly pongs = new Subject<Connection>();

  /** Each dropped client that came back within the window (hot). */
  readonly resumptions$: Observable<Resumption> = this.resumptionsSubject.asObservable();

  constructor(
    private readonly settings: SessionSettings,
    private readonly scheduler: SchedulerLike,
    /** Ends a client for good: the server forgets it and tells its streams. */
    private readonly finish: (client: Connection, info: CloseInfo) => void,
  ) {}

  /** A pong from `client`: the live check of a pending resume may be waiting for it. */
  pong(client: Connection): void {
    this.pongs.next(client);
  }

  /**
   * Judges a resume before its connection is accepted, where waiting is possible: a session whose
   * link still looks open is pinged, and the resume is refused if it answers (the session is in use,
   * and a token in other hands must not cut it); if it stays silent, that link is a dead
   * connection the server had not noticed, and it is dropped so that the session can move.
   * Never rejects. Resolves with the refusal, if any, for {@link resume}.
   */
  async vet(request: SessionRequest, authInfo: AuthInfo | undefined): Promise<ResumeRefusedError | undefined> {
    if (request.kind !== 'resume') return undefined;
    const client = this.sessions.get(request.token);
    if (!client?.session) return undefined;
    if (client.session.owner !== authInfo?.clientId) return principalRefusal(client.id, authInfo);
    const link = client.link;
    if (!link.isOpen) return undefined;
    const pong$ = this.pongs.pipe(filter((from) => from === client));
    if (await answersPing(() => client.ping(), pong$, this.settings.liveCheckMs, this.scheduler)) return liveRefusal(client.id);
    if (client.link === link) link.terminate();
    return undefined;
  }

  /**
   * An arrival that names a session: moved into it (its link replaces the old one, and what it
   * missed is replayed), or told why not, and then given a fresh session by {@link open}.
   */
  resume(arrival: PeerArrival): ResumeOutcome {
    const { session: request, link } = arrival;
    if (request.kind !== 'resume') return { expired: UNKNOWN_SESSION };
    const client = this.sessions.get(request.token);
    const session = client?.session;
    if (!client || !session) return { expired: UNKNOWN_SESSION };
    // The refused are told only what an unknown token gets: nothing about the session they named.
    const vetted = arrival.vetted instanceof ResumeRefusedError ? arrival.vetted : undefined;
    const refused =
      vetted ?? (session.owner !== arrival.authInfo?.clientId ? principalRefusal(client.id, arrival.authInfo) : undefined) ??
      // Only a link that answered the live check is still open here (vet() drops a silent one).
      (client.link.isOpen ? liveRefusal(client.id) : undefined);
    if (refused) return { expired: UNKNOWN_SESSION, refused };
    const missed = session.missedSince(request.received);
    if (!missed) {
      this.finish(client, { code: CloseCode.Abnormal, reason: 'Session expired: replay log overflowed' });
      return { expired: 'Session expired: more was sent while away than the replay log keeps' };
    }
    session.expiry?.unsubscribe();
    session.expiry = undefined;
    const previous = client.link;
    client.attach(link);
    // A half-open old link the server has not noticed yet: the client has moved on from it.
    if (previous !== link) previous.terminate();
    // Single use: the token that resumed the session is spent, and the client is given the next.
    this.sessions.delete(request.token);
    this.sessions.set(session.rotate(), client);
    link.write(JSON.stringify(session.frame(true, { replayed: missed.length })));
    for (const entry of missed) link.write(entry.data);
    this.resumptionsSubject.next({ clientId: client.id, replayed: missed.length });
    return { resumed: client };
  }

  /** Starts a resumable session for a client that asked for one, and tells it the token. */
  open(client: Connection, expired: string | undefined): void {
    const session = new ResumableSession(client.id, client.authInfo?.clientId, this.settings.store, () => this.scheduler.now());
    client.session = session;
    this.sessions.set(session.token, client);
    client.link.write(JSON.stringify(session.frame(false, expired === undefined ? {} : { expired: true, reason: expired })));
  }

  /**
   * The client's link dropped. A drop (no close frame) of a client with a session that nobody closed
   * on purpose is held for the window, and `true` returned; anything else is the caller's to finish.
   */
  hold(client: Connection, info: CloseInfo, stopping: boolean): boolean {
    const session = client.session;
    if (!session || client.closedByServer || stopping || !isDrop(info.code)) return false;
    client.detach();
    session.expiry = timer(this.settings.windowMs, this.scheduler).subscribe(() => this.finish(client, info));
    return true;
  }

  /** The client is gone for good: its session ends. */
  forget(client: Connection): void {
    const session = client.session;
    if (!session) return;
    this.sessions.delete(session.token);
    session.forget();
  }

  complete(): void {
    this.resumptionsSubject.complete();
    this.pongs.complete();
  }
}

/** A connection that ended without a close frame: the kind a client may come back from. */
function isDrop(code: number): boolean {
  return code === CloseCode.Abnormal || code === CloseCode.HeartbeatTimeout;
}

function liveRefusal(clientId: string): ResumeRefusedError {
  return new ResumeRefusedError(
    `Refused to resume the session of client ${clientId}: it is live on another connection, which was left alone; given a fresh session`,
    'live',
  );
}

function principalRefusal(clientId: string, authInfo: AuthInfo | undefined): ResumeRefusedError {
  const who = authInfo ? `principal ${JSON.stringify(authInfo.clientId.slice(0, 128))}` : 'an unauthenticated connection';
  return new ResumeRefusedError(`Refused to resume the session of client ${clientId} for ${who}: it belongs to another principal; given a fresh session`, 'principal');
}
