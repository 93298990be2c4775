import type { Socket } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { of, ReplaySubject, Subscription, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import type { JsonObject } from '../protocol/index.js';
import { redactCredentials, type AuthInfo } from './authenticate.js';
import { CloseCode } from './close-codes.js';
import type { HeartbeatPeer } from './heartbeat.js';
import type { ResumableSession } from './session-resumption.js';
import type { MessageRateLimiter } from './message-rate-limit.js';
import { readReceipt } from './read-receipt.js';
import type { OutboundGate } from './slow-consumer.js';
import { holdWritesForThisTurn } from './write-batch.js';
import { withoutSessionRequest } from './session-request.js';
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

/** The slow-consumer policy of a server, shared by its connections. */
export interface OutboundPolicy {
  /** A connection gets its gate once a send would take its buffer past this many bytes. */
  readonly lowWatermark: number;
  gate(socket: WebSocket, client: ClientConnection): OutboundGate;
}

/** What the server hands a connection beyond its socket and request. */
export interface ConnectionExtras {
  /** The principal from the `authenticate` hook. */
  readonly authInfo?: AuthInfo | undefined;
  /** The slow-consumer policy every send goes through. */
  readonly outbound?: OutboundPolicy | undefined;
  /** Keep `request` without the credentials the server authenticated with. */
  readonly redactCredentials?: boolean;
}

/**
 * A random UUID as one flat string. `randomUUID()` builds its result by concatenating 20 pieces,
 * and V8 keeps such a string as a tree of about 14 cons cells (~450 bytes) for as long as it lives;
 * an id lives as long as its connection.
 */
export function newClientId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

/** Headers that only carry the WebSocket handshake itself; its outcome is on the socket (`protocol`, `extensions`). */
const HANDSHAKE_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']);

/**
 * The upgrade request's headers, less the handshake's own: kept for the connection's whole life,
 * the random key and the version, upgrade and extension offers are ~200 bytes per idle connection
 * that nobody reads once the handshake is over.
 */
function withoutHandshakeHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (!HANDSHAKE_HEADERS.has(name)) kept[name] = headers[name];
  }
  return kept;
}

/**
 * One client's socket on the server. Sending is synchronous and reports whether the frame was
 * handed to the socket; a closed or closing socket is skipped, never thrown at.
 *
 * Thousands of these sit idle on a busy server, so what is not needed until a client does
 * something (its gate, rate limiter, work list, close stream) is made on first use.
 */
export class ClientConnection implements ClientInfo, HeartbeatPeer {
  readonly id: string = newClientId();
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly request: UpgradeRequestInfo;
  readonly authInfo: AuthInfo | undefined;
  awaitingPong = false;
  /** Set when the client asked for a resumable session. */
  session: ResumableSession | undefined;
  /** Whether the server closed this connection on purpose (such a close is never resumed). */
  closedByServer = false;
  /** Handler calls of this client not yet finished (the server's `maxInFlight` cap). */
  pendingCalls = 0;
  /** The client's message rate, made by the server at its first frame. */
  messageRate: MessageRateLimiter | undefined;

  /** A number rather than a Date: a Date object is ~100 bytes of heap. */
  private readonly connectedAtMs = Date.now();
  private currentSocket: WebSocket;
  /** The TCP socket under the WebSocket, for batching a broadcast's writes. */
  private tcp: Socket;
  private readonly outbound: OutboundPolicy | undefined;
  /** Made when a send first takes the buffer past the policy's low watermark. */
  private gate: OutboundGate | undefined;
  /** Everything running on behalf of this client (Observable replies); ended when it is gone for good. */
  private work: Subscription | undefined;
  private ended = false;
  private closedSubject: ReplaySubject<CloseInfo> | undefined;
  private closedWith: CloseInfo | undefined;

  constructor(socket: WebSocket, request: IncomingMessage, extras: ConnectionExtras = {}) {
    this.currentSocket = socket;
    this.tcp = request.socket;
    this.remoteAddress = request.socket.remoteAddress;
    this.remotePort = request.socket.remotePort;
    const info = withoutSessionRequest({ url: request.url ?? '/', headers: withoutHandshakeHeaders(request.headers) });
    this.request = extras.redactCredentials === true ? redactCredentials(info) : info;
    this.authInfo = extras.authInfo;
    this.outbound = extras.outbound;
  }

  /** When the connection was accepted (a new Date each time it is read). */
  get connectedAt(): Date {
    return new Date(this.connectedAtMs);
  }

  /** Emits the close code and reason once the socket has closed, then completes. */
  get closed$(): Observable<CloseInfo> {
    if (this.closedWith) return of(this.closedWith);
    this.closedSubject ??= new ReplaySubject<CloseInfo>(1);
    return this.closedSubject.asObservable();
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
    if (this.gate) return this.gate.send(data);
    // Under the low watermark the gate would send it bare too: no gate until one is needed.
    if (this.outbound && this.socket.bufferedAmount + data.length > this.outbound.lowWatermark) {
      this.gate = this.outbound.gate(this.socket, this);
      return this.gate.send(data);
    }
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

  /** Emits once the client has read everything sent to it so far, or its socket is gone (see `readReceipt`). */
  readReceipt(): Observable<void> {
    return readReceipt(this.socket);
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

  /** Keeps `subscription` (an Observable reply) until it ends by itself or the client is gone for good. */
  track(subscription: Subscription): void {
    this.work ??= new Subscription();
    this.work.add(subscription);
  }

  /** Cancels everything still running on behalf of this client, and whatever starts later. */
  cancelWork(): void {
    this.work?.unsubscribe();
    // Closed: what is tracked from now on is unsubscribed at once.
    this.work = Subscription.EMPTY;
  }

  /** Its socket dropped but the session may resume: what watched that socket stops. */
  detach(): void {
    this.gate?.dispose();
    this.gate = undefined;
  }

  /** Moves a resumed session onto the socket its client came back on. */
  attach(socket: WebSocket, tcp: Socket): void {
    this.detach();
    this.currentSocket = socket;
    this.tcp = tcp;
    this.awaitingPong = false;
  }

  /** Called by the server when the client is gone for good. */
  markClosed(info: CloseInfo): void {
    this.ended = true;
    this.cancelWork();
    this.gate?.dispose();
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
