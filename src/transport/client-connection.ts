import type { Socket } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { of, ReplaySubject, Subscription, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import type { JsonObject } from '../protocol/index.js';
import { withoutSessionRequest } from '../protocol/session-frame.js';
import { redactCredentials, type AuthInfo } from './authenticate.js';
import { CloseCode } from './close-codes.js';
import type { HeartbeatPeer } from './heartbeat.js';
import type { ResumableSession } from './session-resumption.js';
import type { OutboundGate } from './slow-consumer.js';
import { holdWritesForThisTurn } from './write-batch.js';
import type { CloseInfo } from './socket-events.js';

/** What the server learnt from the HTTP upgrade request. */
export interface UpgradeRequestInfo {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A connected client, as the server's streams and queries describe it. */
export interface ClientInfo {
  /** Unique for the life of the server process (a random UUID). */
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly connectedAt: Date;
  /** The negotiated subprotocol, `''` when none. */
  readonly protocol: string;
  /** The upgrade request; on a server with `authenticate`, credentials (Authorization, Cookie, token subprotocol entries, `token` query parameter) read `REDACTED`. */
  readonly request: UpgradeRequestInfo;
  /** The principal the server's `authenticate` hook accepted; `undefined` without a hook. */
  readonly authInfo?: AuthInfo | undefined;
}

/** What the server hands a connection beyond its socket and request. */
export interface ConnectionExtras {
  /** The principal from the `authenticate` hook. */
  readonly authInfo?: AuthInfo | undefined;
  /** The slow-consumer policy every send goes through. */
  readonly outbound?: OutboundGate | undefined;
  /** Keep `request` without the credentials the server authenticated with. */
  readonly redactCredentials?: boolean;
}

/**
 * One client's socket on the server. Sending is synchronous and reports whether the frame was
 * handed to the socket; a closed or closing socket is skipped, never thrown at.
 */
export class ClientConnection implements ClientInfo, HeartbeatPeer {
  readonly id: string = randomUUID();
  readonly connectedAt = new Date();
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly request: UpgradeRequestInfo;
  readonly authInfo: AuthInfo | undefined;
  awaitingPong = false;
  /** Everything running on behalf of this client; ended when it is gone for good. */
  readonly work = new Subscription();
  /** What listens to the current socket; replaced when a resumed session moves to a new one. */
  socketWork = new Subscription();
  /** Set when the client asked for a resumable session. */
  session: ResumableSession | undefined;
  /** Whether the server closed this connection on purpose (such a close is never resumed). */
  closedByServer = false;

  private currentSocket: WebSocket;
  /** The TCP socket under the WebSocket, for batching a broadcast's writes. */
  private tcp: Socket;
  private outbound: OutboundGate | undefined;
  private ended = false;
  /** Made on first use: most connections never have a subscriber, and 10k idle ones add up. */
  private closedSubject: ReplaySubject<CloseInfo> | undefined;
  private closedWith: CloseInfo | undefined;
  /** Emits the close code and reason once the socket has closed, then completes. */
  get closed$(): Observable<CloseInfo> {
    if (this.closedWith) return of(this.closedWith);
    this.closedSubject ??= new ReplaySubject<CloseInfo>(1);
    return this.closedSubject.asObservable();
  }

  constructor(socket: WebSocket, request: IncomingMessage, extras: ConnectionExtras = {}) {
    this.currentSocket = socket;
    this.tcp = request.socket;
    this.remoteAddress = request.socket.remoteAddress;
    this.remotePort = request.socket.remotePort;
    const info = { url: withoutSessionRequest(request.url ?? '/'), headers: request.headers };
    this.request = extras.redactCredentials === true ? redactCredentials(info) : info;
    this.authInfo = extras.authInfo;
    this.outbound = extras.outbound;
  }

  /** The underlying ws socket, for what the transport does not wrap. A resumed session has a new one. */
  get socket(): WebSocket {
    return this.currentSocket;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket but not yet written to the network. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Serialises and sends one message. Throws only if `message` cannot be serialised. */
  send(message: JsonObject): boolean {
    return this.sendSerialized(JSON.stringify(message));
  }

  /** Sends text that is already JSON: how a broadcast serialises once for every client. */
  sendSerialized(data: string): boolean {
    if (this.session && !this.ended) {
      // Logged before the socket is asked: a client that is away gets it when it resumes.
      this.session.record(data);
      if (this.socket.readyState !== WebSocket.OPEN) return true;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    if (this.outbound) return this.outbound.send(data);
    this.socket.send(data);
    return true;
  }

  /** `sendSerialized`, with this socket's writes held to the end of the turn (see `holdWritesForThisTurn`). */
  sendInBatch(data: string): boolean {
    if (this.socket.readyState === WebSocket.OPEN) holdWritesForThisTurn(this.tcp);
    return this.sendSerialized(data);
  }

  ping(): void {
    this.socket.ping();
  }

  close(code: number = CloseCode.Normal, reason = ''): void {
    this.closedByServer = true;
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  /** Moves a resumed session onto the socket its client came back on. */
  attach(socket: WebSocket, tcp: Socket, outbound: OutboundGate | undefined): void {
    this.socketWork.unsubscribe();
    this.socketWork = new Subscription();
    this.currentSocket = socket;
    this.tcp = tcp;
    this.outbound = outbound;
    this.awaitingPong = false;
  }

  /** Called by the server when the client is gone for good. */
  markClosed(info: CloseInfo): void {
    this.ended = true;
    this.socketWork.unsubscribe();
    this.closedWith = info;
    this.closedSubject?.next(info);
    this.closedSubject?.complete();
  }

  /** A plain snapshot, safe to log or send. */
  toInfo(): ClientInfo {
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      connectedAt: this.connectedAt,
      protocol: this.protocol,
      request: this.request,
      authInfo: this.authInfo,
    };
  }
}
