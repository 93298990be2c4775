import { BehaviorSubject, distinctUntilChanged, Subject, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { CloseCode, isSendableCloseCode } from '../../close-codes.js';
import type { CloseInfo, EdgeHost, PeerArrival, PeerLink } from '../../edges/edge.js';
import { MessageTooLargeError, ServerFullError, SocketError, type TransportError, type TransportErrorEvent } from '../../errors.js';
import type { SessionRequest } from '../../resume/session-request.js';
import type { TakeOver } from '../../resume/resume-verdicts.js';
import type { SessionHost } from '../../resume/session-host.js';
import type { AuthInfo } from '../../security/authenticate.js';
import { Traffic } from '../../observability/traffic.js';
import { Connection } from './connection.js';
import type { ClientConnection, ClientInfo } from './client-connection.js';
import type { OutboundPolicy } from './outbound-policy.js';

/** One frame from one client, as it entered the server. */
export interface InboundFrame {
  readonly client: Connection;
  /** Text, or the bytes of a binary frame. */
  readonly data: string | Buffer;
  readonly isBinary: boolean;
}

/** A client that went away, with the close code and reason its connection reported. */
export interface Disconnection extends CloseInfo {
  readonly clientId: string;
  readonly client: ClientInfo;
}

export interface PeersOptions {
  readonly scheduler: SchedulerLike;
  readonly maxClients: number;
  readonly maxMessageSize: number;
  /** How long a turned-away peer gets to finish the close handshake, ms. */
  readonly stopGraceMs: number;
  readonly outbound: OutboundPolicy | undefined;
  /** Session resumption; `undefined` when off. */
  readonly sessions: SessionHost | undefined;
  readonly isStopping: () => boolean;
  /** The transport's `requestKey` option. */
  readonly requestKey: (message: JsonObject) => string | undefined;
}

/**
 * The server's clients, and what their edges tell about them: arrivals (new, resumed or turned
 * away), frames (pushed into the one hot stream the pipeline reads), pongs, failures and
 * departures. Every peer of every edge enters the server here.
 */
export class Peers implements EdgeHost<Connection> {
  private readonly clients = new Map<string, Connection>();
  private readonly frames = new Subject<InboundFrame>();
  private readonly connectionsSubject = new Subject<ClientConnection>();
  private readonly disconnectionsSubject = new Subject<Disconnection>();
  private readonly countSubject = new BehaviorSubject(0);
  private readonly errorsSubject = new Subject<TransportErrorEvent>();
  /** Clients ws closed with 1009 for an oversized message (they see 1009; the server's socket reports 1006). */
  private readonly tooLarge = new WeakSet<Connection>();

  /** Every frame of every client, in arrival order (hot): the pipeline's source. */
  readonly frames$: Observable<InboundFrame> = this.frames.asObservable();
  readonly connections$: Observable<ClientConnection> = this.connectionsSubject.asObservable();
  readonly disconnections$: Observable<Disconnection> = this.disconnectionsSubject.asObservable();
  readonly clientCount$: Observable<number> = this.countSubject.pipe(distinctUntilChanged());
  readonly errors$: Observable<TransportErrorEvent> = this.errorsSubject.asObservable();

  /** What every client sent and was sent, in total. */
  readonly traffic = new Traffic();

  constructor(private readonly options: PeersOptions) {}

  get scheduler(): SchedulerLike {
    return this.options.scheduler;
  }

  get size(): number {
    return this.clients.size;
  }

  values(): IterableIterator<Connection> {
    return this.clients.values();
  }

  get(id: string): Connection | undefined {
    return this.clients.get(id);
  }

  /**
   * Closes one client's connection; whether the client was connected. Throws `RangeError` for a
   * code that may not be sent in a close frame (RFC 6455 §7.4) or a reason over 123 bytes.
   */
  closeClient(id: string, code: number, reason: string): boolean {
    if (!isSendableCloseCode(code)) throw new RangeError(`closeClient: ${code} is not a close code that may be sent`);
    if (Buffer.byteLength(reason) > 123) throw new RangeError('closeClient: the reason must be at most 123 bytes of UTF-8');
    const client = this.clients.get(id);
    client?.close(code, reason);
    return client !== undefined;
  }

  arrive(arrival: PeerArrival): Connection | undefined {
    const sessions = this.options.sessions;
    let expired: string | undefined;
    let refused: TransportError | undefined;
    if (sessions && arrival.session.kind === 'resume') {
      const outcome = sessions.resume(arrival);
      if (outcome.resumed) return outcome.resumed;
      if (outcome.adopt) return this.adopt(arrival, sessions, outcome.adopt);
      expired = outcome.expired;
      refused = outcome.refused;
    }
    if (this.clients.size >= this.options.maxClients) {
      this.turnAway(arrival);
      return undefined;
    }
    const client = new Connection(arrival, this.options.scheduler.now(), this.options.outbound, this.traffic);
    this.clients.set(client.id, client);
    if (sessions && arrival.session.kind !== 'none') sessions.open(client, expired);
    this.countSubject.next(this.clients.size);
    this.connectionsSubject.next(client);
    // Reported as the new connection's: the session it named is none of its business.
    if (refused) this.report(refused, client.id);
    return client;
  }

  frame(client: Connection, link: PeerLink, data: string | Buffer, isBinary: boolean): void {
    // A resumed session's old link may still deliver: the client has moved on from it.
    if (link !== client.link) return;
    client.messagesIn++;
    this.traffic.received(data.length);
    this.frames.next({ client, data, isBinary });
  }

  pong(client: Connection): void {
    client.awaitingPong = false;
    this.options.sessions?.pong(client);
  }

  failed(client: Connection, link: PeerLink, error: Error): void {
    if (link !== client.link) return;
    if (error instanceof MessageTooLargeError || (error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.tooLarge.add(client);
      this.report(
        new MessageTooLargeError(`Client ${client.id} sent a message over maxMessageSize (${this.options.maxMessageSize} bytes); closed with 1009`, {
          cause: error,
        }),
        client.id,
      );
      return;
    }
    this.report(new SocketError(`Socket error on client ${client.id}: ${error.message}`, { cause: error }), client.id);
  }

  left(client: Connection, link: PeerLink, closed: CloseInfo): void {
    if (link !== client.link || client.isGone) return;
    // ws closed it for us with 1009 and reports 1006 locally: say what the client saw.
    const info = this.tooLarge.has(client) ? { code: CloseCode.MessageTooBig, reason: 'Message too big' } : closed;
    if (this.options.sessions?.hold(client, info, this.options.isStopping()) === true) return;
    this.finish(client, info);
  }

  report(error: TransportError, clientId?: string): void {
    this.errorsSubject.next(clientId === undefined ? { error } : { error, clientId });
  }

  requestKey(message: JsonObject): string | undefined {
    return this.options.requestKey(message);
  }

  vetResume(session: SessionRequest, authInfo: AuthInfo | undefined): Promise<unknown> {
    return this.options.sessions?.vet(session, authInfo) ?? Promise.resolve(undefined);
  }

  /** The client is gone for good: forget it, end its work and its session, tell the streams. */
  readonly finish = (client: Connection, info: CloseInfo): void => {
    if (!this.clients.delete(client.id)) return;
    this.options.sessions?.forget(client);
    client.markClosed(info);
    this.countSubject.next(this.clients.size);
    this.disconnectionsSubject.next({ clientId: client.id, client: client.toInfo(), code: info.code, reason: info.reason });
  };

  /** Ends the streams: nothing arrives, leaves or fails any more. */
  complete(): void {
    this.frames.complete();
    this.connectionsSubject.complete();
    this.disconnectionsSubject.complete();
    this.errorsSubject.complete();
    this.countSubject.complete();
  }

  /** A session taken over from another node: a new connection here, bearing the client id it had there. */
  private adopt(arrival: PeerArrival, sessions: SessionHost, takeover: TakeOver): Connection | undefined {
    if (this.clients.size >= this.options.maxClients) {
      sessions.abandon(takeover);
      this.turnAway(arrival);
      return undefined;
    }
    const client = new Connection(arrival, this.options.scheduler.now(), this.options.outbound, this.traffic, takeover.record.clientId);
    this.clients.set(client.id, client);
    sessions.adopt(client, takeover);
    this.countSubject.next(this.clients.size);
    this.connectionsSubject.next(client);
    return client;
  }

  /** Accepts the peer only to close it with 1013: browsers cannot read an HTTP status, but they can read a close code. */
  private turnAway(arrival: PeerArrival): void {
    const { link } = arrival;
    link.close(CloseCode.TryAgainLater, 'Server is full; try again later');
    // A peer that never answers the close frame is dropped; a closed link ignores this.
    timer(this.options.stopGraceMs, this.options.scheduler).subscribe(() => link.terminate());
    this.report(
      new ServerFullError(
        `Turned away a connection from ${arrival.remoteAddress ?? 'an unknown address'}: ` +
          `${this.options.maxClients} clients connected (maxClients); closed with 1013`,
      ),
    );
  }
}
