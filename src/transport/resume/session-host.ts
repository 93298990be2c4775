import { filter, Subject, Subscription, timer, type Observable, type SchedulerLike } from 'rxjs';
import { CloseCode } from '../close-codes.js';
import type { BusEnvelope } from '../cluster/cluster-bus.js';
import type { CloseInfo, PeerArrival } from '../edges/edge.js';
import { ResumeRefusedError, type TransportError } from '../errors.js';
import type { AuthInfo } from '../security/authenticate.js';
import type { Connection } from '../server/clients/connection.js';
import { ResumeTopic } from './catch-up.js';
import { answersPing } from './liveness.js';
import type { ReplayStore } from './replay-log.js';
import { expired, isClaimedHere, isExpired, isTakeOver, liveRefusal, principalRefusal, UNKNOWN_SESSION, type ResumeVerdict, type TakeOver } from './resume-verdicts.js';
import type { SharedSessions } from './session-directory.js';
import { adoptSession } from './session-adoption.js';
import { SessionHandover } from './session-handover.js';
import { SessionMirrors } from './session-mirrors.js';
import type { SessionRequest } from './session-request.js';
import { newSessionToken, ResumableSession } from './session-resumption.js';
import { SessionTakeover, type ResumeCluster } from './session-takeover.js';
import { SharedRecords } from './shared-records.js';

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
  /** The directory and logs the nodes of a cluster share; `undefined`: sessions stay on their node. */
  readonly shared?: SharedSessions | undefined;
}

/** What became of an arrival that asked to resume. */
export type ResumeOutcome =
  | { readonly resumed: Connection; readonly adopt?: undefined }
  /** A session taken over from another node: the caller makes its connection (with the session's client id) and hands it to {@link SessionHost.adopt}. */
  | { readonly resumed?: undefined; readonly adopt: TakeOver }
  | { readonly resumed?: undefined; readonly adopt?: undefined; readonly expired: string; readonly refused?: ResumeRefusedError };

/**
 * The server's side of session resumption: opens sessions for the clients that ask, keeps a
 * dropped client for the resume window, moves it onto the connection it comes back on and replays
 * what it missed. The token that names a session is a bearer credential, so it is single-use,
 * bound to the principal that opened the session, and never lets anyone take a session from a
 * connection that is still alive (see docs/security.md). With `shared` sessions and a cluster, a
 * session may also move to this node from another (see session-takeover.ts, session-adoption.ts,
 * session-handover.ts), and its records in the shared directory are kept by shared-records.ts.
 */
export class SessionHost {
  /** This node's sessions by their current token. */
  private readonly sessions = new Map<string, Connection>();
  /** This node's sessions by their id. */
  private readonly byId = new Map<string, Connection>();
  private readonly resumptionsSubject = new Subject<Resumption>();
  private readonly pongs = new Subject<Connection>();
  private readonly wiring = new Subscription();
  private readonly mirrors: SessionMirrors | undefined;
  /** This node's records in the shared directory; `undefined` without shared sessions. */
  private readonly records: SharedRecords | undefined;
  private takeover: SessionTakeover | undefined;
  private nodeId: string;
  /** The position of the last broadcast from another node this node delivered: where a new session starts on the bus. */
  private lastDelivered: string | undefined;
  private busPosition: () => string | undefined = () => undefined;

  /** Each dropped client that came back within the window (hot). */
  readonly resumptions$: Observable<Resumption> = this.resumptionsSubject.asObservable();

  constructor(
    private readonly settings: SessionSettings,
    private readonly scheduler: SchedulerLike,
    /** Ends a client for good: the server forgets it and tells its streams. */
    private readonly finish: (client: Connection, info: CloseInfo) => void,
    private readonly report: (error: TransportError) => void = () => undefined,
  ) {
    this.nodeId = `node-${Math.random().toString(36).slice(2)}`;
    const shared = settings.shared;
    if (shared) {
      this.mirrors = new SessionMirrors(shared.log, () => this.nodeId, report, (session) => this.letGoById(session.id));
      this.records = new SharedRecords(shared.directory, this.ttlMs, () => this.nodeId, report);
      // Records of live sessions are renewed well within their TTL.
      this.wiring.add(this.records.renewEvery(settings.windowMs / 2, scheduler, () => [...this.byId.keys()]));
    }
  }

  /** How long a session's shared record lives without renewal. */
  private get ttlMs(): number {
    return 2 * this.settings.windowMs + 2 * this.settings.liveCheckMs;
  }

  /**
   * Joins the node's cluster: with shared sessions, sessions of other nodes may be taken over here
   * and this node's let go to others.
   */
  joinCluster(cluster: ResumeCluster): void {
    this.nodeId = cluster.view.nodeId;
    this.busPosition = cluster.position;
    const shared = this.settings.shared;
    if (!shared) return;
    const { liveCheckMs } = this.settings;
    const takeover = new SessionTakeover({ liveCheckMs, ttlMs: this.ttlMs, shared, scheduler: this.scheduler, report: this.report }, cluster);
    this.takeover = takeover;
    this.wiring.add(
      cluster.view.receive(ResumeTopic.broadcast).subscribe((envelope: BusEnvelope) => {
        this.lastDelivered = envelope.position ?? this.lastDelivered;
        takeover.delivered({ text: envelope.data, position: envelope.position });
      }),
    );
    const handover = new SessionHandover(cluster.view, {
      holding: (sessionId) => this.byId.get(sessionId),
      answersPing: (client) => this.liveCheck(client),
      letGo: (client) => this.letGo(client),
      report: this.report,
    });
    this.wiring.add(handover.start());
  }

  /** This node broadcast `text` to its clients (and publishes it for the others). */
  broadcastSent(text: string): void {
    this.takeover?.delivered({ text, position: undefined });
  }

  /** A pong from `client`: the live check of a pending resume may be waiting for it. */
  pong(client: Connection): void {
    this.pongs.next(client);
  }

  /**
   * Judges a resume before its connection is accepted, where waiting is possible: a session whose
   * link still looks open is pinged, and the resume is refused if it answers (the session is in use,
   * and a token in other hands must not cut it); if it stays silent, that link is a dead
   * connection the server had not noticed, and it is dropped so that the session can move. A
   * session of another node is taken over (with shared sessions). Never rejects. Resolves with the
   * verdict for {@link resume}.
   */
  async vet(request: SessionRequest, authInfo: AuthInfo | undefined): Promise<ResumeVerdict | undefined> {
    if (request.kind !== 'resume') return undefined;
    const client = this.sessions.get(request.token);
    if (!client?.session) return this.takeover?.vet(request, authInfo);
    if (client.session.owner !== authInfo?.clientId) return principalRefusal(client.id, authInfo);
    const link = client.link;
    if (link.isOpen) {
      if (await this.liveCheck(client)) return liveRefusal(client.id);
      if (client.link === link) link.terminate();
    }
    return this.claimHere(client, request.token);
  }

  /**
   * An arrival that names a session: moved into it (its link replaces the old one, and what it
   * missed is replayed), handed back for adoption when it came from another node, or told why not,
   * and then given a fresh session by {@link open}.
   */
  resume(arrival: PeerArrival): ResumeOutcome {
    const { session: request, link, vetted } = arrival;
    if (request.kind !== 'resume') return { expired: UNKNOWN_SESSION };
    if (vetted instanceof ResumeRefusedError) return { expired: UNKNOWN_SESSION, refused: vetted };
    if (isTakeOver(vetted)) return { adopt: vetted };
    if (isExpired(vetted)) return { expired: vetted.reason };
    const client = this.sessions.get(request.token);
    const session = client?.session;
    if (!client || !session) return { expired: UNKNOWN_SESSION };
    // The refused are told only what an unknown token gets: nothing about the session they named.
    const refused =
      (session.owner !== arrival.authInfo?.clientId ? principalRefusal(client.id, arrival.authInfo) : undefined) ??
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
    this.sessions.set(session.rotate(isClaimedHere(vetted) ? vetted.token : undefined), client);
    link.write(JSON.stringify(session.frame(true, { replayed: missed.length })));
    for (const entry of missed) link.write(entry.data);
    this.records?.mark(session.id, 'attached');
    this.resumptionsSubject.next({ clientId: client.id, replayed: missed.length });
    return { resumed: client };
  }

  /**
   * Moves a session taken over from another node onto `client` (a new connection of this node
   * bearing the session's client id): sends what the client missed — the previous node's log from
   * the client's offset, then the broadcasts nobody logged while it moved — and goes on from there.
   */
  adopt(client: Connection, takeover: TakeOver): void {
    const { store } = this.settings;
    const { session, replayed } = adoptSession(client, takeover, { store, now: () => this.scheduler.now(), mirror: this.mirrors?.mirror });
    this.sessions.set(takeover.token, client);
    this.byId.set(session.id, client);
    this.records?.mark(session.id, 'attached');
    this.resumptionsSubject.next({ clientId: client.id, replayed });
  }

  /** A take-over whose connection never arrived (refused, or it closed first): the session ends everywhere. */
  abandon(takeover: TakeOver): void {
    takeover.stopTap();
    this.records?.forget(takeover.record.id);
  }

  /** Starts a resumable session for a client that asked for one, and tells it the token. */
  open(client: Connection, expired: string | undefined): void {
    const session = new ResumableSession(client.id, client.authInfo?.clientId, this.settings.store, () => this.scheduler.now());
    client.session = session;
    this.sessions.set(session.token, client);
    this.byId.set(session.id, client);
    if (this.records) {
      const record = { id: session.id, clientId: client.id, owner: session.owner, nodeId: this.nodeId, position: this.busPosition() ?? this.lastDelivered };
      this.records.open(record, session.token);
      session.mirror = this.mirrors?.mirror;
    }
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
    this.records?.mark(session.id, 'held');
    return true;
  }

  /** The client is gone for good: its session ends (here only, when another node holds it now). */
  forget(client: Connection): void {
    const session = client.session;
    if (!session) return;
    this.sessions.delete(session.token);
    this.byId.delete(session.id);
    session.forget();
    if (!session.movedAway) this.records?.forget(session.id);
  }

  complete(): void {
    this.wiring.unsubscribe();
    this.resumptionsSubject.complete();
    this.pongs.complete();
  }

  private liveCheck(client: Connection): Promise<boolean> {
    const pong$ = this.pongs.pipe(filter((from) => from === client));
    return answersPing(() => client.ping(), pong$, this.settings.liveCheckMs, this.scheduler);
  }

  /** With shared sessions, a local resume spends its token in the directory too: single use across nodes. */
  private async claimHere(client: Connection, token: string): Promise<ResumeVerdict | undefined> {
    const session = client.session;
    if (!this.records || !session) return undefined;
    const next = newSessionToken();
    const claim = await this.records.claim(token, session.id, next);
    // Unreachable: the session is here and its log in memory, so it resumes (the lost directory is reported).
    if (claim === 'unreachable') return undefined;
    if (claim === 'claimed') return { kind: 'claimed', token: next };
    // Another node took the session over meanwhile: it is no longer this node's to resume.
    await this.letGo(client);
    return expired(UNKNOWN_SESSION);
  }

  /** Ends a session here without ending it on the node that holds it now, once its log is complete. */
  private async letGo(client: Connection): Promise<void> {
    const session = client.session;
    if (!session) return;
    await this.mirrors?.settled(session);
    if (client.isGone) return;
    session.movedAway = true;
    session.mirror = undefined;
    this.finish(client, { code: CloseCode.GoingAway, reason: 'Session resumed on another node' });
  }

  private letGoById(sessionId: string): void {
    const client = this.byId.get(sessionId);
    if (client) this.letGo(client).catch((error: unknown) => this.records?.failed(error, 'let a session go'));
  }
}

/** A connection that ended without a close frame: the kind a client may come back from. */
function isDrop(code: number): boolean {
  return code === CloseCode.Abnormal || code === CloseCode.HeartbeatTimeout;
}
