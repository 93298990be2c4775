import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  distinctUntilChanged,
  firstValueFrom,
  from,
  lastValueFrom,
  race,
  ReplaySubject,
  Subject,
  takeUntil,
  timer,
  type Observable,
} from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeTextFrame, frameError, type FrameError, type JsonObject } from '../protocol/index.js';
import type { AuthInfo } from './authenticate.js';
import { ClientConnection, type ClientInfo, type OutboundPolicy } from './client-connection.js';
import { CloseCode } from './close-codes.js';
import {
  HandlerError,
  InboxOverflowError,
  InvalidFrameError,
  MessageTooLargeError,
  OverloadedError,
  RateLimitedError,
  ResumeRefusedError,
  SerializationError,
  ServerFullError,
  ServerStartError,
  SocketError,
  TransportStoppedError,
  type TransportError,
  type TransportErrorEvent,
} from './errors.js';
import { heartbeat } from './heartbeat.js';
import { capPerClient, InFlightLimiter } from './in-flight-limit.js';
import { Inbox } from './inbox.js';
import { createListener, dropConnections, stopListening, type Listener } from './listener.js';
import { invokeHandler, type MessageHandler } from './message-handler.js';
import { MessageRateLimiter } from './message-rate-limit.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerTransportOptions } from './server-options.js';
import { fromEmitter, rawDataToString, type CloseInfo } from './socket-events.js';
import { SocketListeners } from './socket-listeners.js';
import { serialize } from './serialize.js';
import { OutboundGate, type SlowConsumerEvent, type SlowConsumerOptions } from './slow-consumer.js';
import { isSecureServer } from './tls.js';
import { UpgradeGuard } from './upgrade-guard.js';
import { waitForCount } from './wait-for-count.js';
import { ResumableSession } from './session-resumption.js';
import { sessionRequestOf } from './session-request.js';
import { answersPing } from './liveness.js';

/** A message as it arrived: who sent it and what it said. */
export interface ClientMessage {
  readonly client: ClientConnection;
  readonly message: JsonObject;
}

/** A dropped client that resumed its session on a new socket. */
export interface Resumption {
  readonly clientId: string;
  /** Frames it missed while away, sent again in order. */
  readonly replayed: number;
}

/** A client that went away, with the close code and reason its socket reported. */
export interface Disconnection extends CloseInfo {
  readonly clientId: string;
  readonly client: ClientInfo;
}

/**
 * A WebSocket server for JSON messages whose state is Observable: connections, disconnections,
 * messages, the client count and errors are hot streams; the promise methods are conveniences over
 * them. Each message is decoded into a JSON object or answered with an error reply; the
 * `messageHandler`'s result goes back to the sender.
 *
 * @example
 * const transport = new WebSocketServerTransport({ port: 3001, messageHandler: (m) => ({ type: 'echo', original: m }) });
 * transport.clientCount$.subscribe((n) => console.log(`${n} clients`));
 * await transport.start();
 * await transport.broadcastNotification({ event: 'server_update' });
 * @see docs/transport.md
 */
export class WebSocketServerTransport {
  private readonly options: ResolvedServerOptions;
  private readonly clients = new Map<string, ClientConnection>();
  private readonly connectionsSubject = new Subject<ClientConnection>();
  private readonly disconnectionsSubject = new Subject<Disconnection>();
  private readonly messagesSubject = new Subject<ClientMessage>();
  private readonly errorsSubject = new Subject<TransportErrorEvent>();
  private readonly countSubject = new BehaviorSubject(0);
  private readonly slowConsumerSubject = new Subject<SlowConsumerEvent>();
  private readonly resumptionsSubject = new Subject<Resumption>();
  /** Every unfinished handler call of every client: what `stop({ drainMs })` waits for. */
  private readonly calls = new InFlightLimiter(Number.POSITIVE_INFINITY);
  /** Clients ws closed with 1009 for an oversized message. */
  private readonly tooLarge = new WeakSet<ClientConnection>();
  /** The message handler, counted in `calls` and capped per client by `maxInFlight`. */
  private readonly handler: MessageHandler<ClientConnection> | undefined;
  /** Resumable sessions by token. */
  private readonly sessions = new Map<string, ClientConnection>();
  /** Upgrades that named a session they may not resume, decided before the socket was accepted. */
  private readonly refusedResumes = new WeakMap<IncomingMessage, ResumeRefusedError>();
  /** Whose socket each socket is: a resumed session's client owns its old socket and its new one. */
  private readonly owners = new WeakMap<WebSocket, ClientConnection>();
  private readonly listeners = new SocketListeners({
    frame: (socket, data, isBinary) => this.onFrame(socket, data, isBinary),
    pong: (socket) => this.onPong(socket),
    error: (socket, error) => this.onSocketError(socket, error),
    close: (socket, code, reason) => this.onSocketClose(socket, { code, reason: reason.toString() }),
  });
  private readonly outbound: OutboundPolicy | undefined;
  private readonly guard: UpgradeGuard;
  /** The http(s) server the transport created, when it was not given one. */
  private listener: Listener | undefined;
  // Replays: pipelines set up by a start() that finishes after stop() must end at once too.
  private readonly stopped$ = new ReplaySubject<void>(1);
  private wss: WebSocketServer | undefined;
  private inbox: Inbox<ClientMessage> | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  /** Each client as it connects (hot). */
  readonly connections$: Observable<ClientConnection> = this.connectionsSubject.asObservable();
  /** Each client as it goes away, with its close code (hot). */
  readonly disconnections$: Observable<Disconnection> = this.disconnectionsSubject.asObservable();
  /** Every accepted message from every client (hot). Bad frames never appear here. */
  readonly messages$: Observable<ClientMessage> = this.messagesSubject.asObservable();
  /** The number of connected clients; replays the current count to each new subscriber. */
  readonly clientCount$: Observable<number> = this.countSubject.pipe(distinctUntilChanged());
  /** Problems on single connections and in handlers. Never errors; completes on `stop()`. */
  readonly errors$: Observable<TransportErrorEvent> = this.errorsSubject.asObservable();
  /** The slow-consumer policy at work: connections becoming congested, draining, disconnected (hot). Completes on `stop()`. */
  readonly slowConsumer$: Observable<SlowConsumerEvent> = this.slowConsumerSubject.asObservable();
  /** Each dropped client that came back within the resume window, with how many frames it was replayed (hot). */
  readonly resumptions$: Observable<Resumption> = this.resumptionsSubject.asObservable();

  constructor(options: ServerTransportOptions = {}) {
    this.options = resolveServerOptions(options);
    const { handler, maxInFlight, slowConsumer } = this.options;
    const counted = handler && this.calls.wrap(handler, () => undefined);
    this.handler =
      counted && maxInFlight !== undefined
        ? capPerClient(counted, maxInFlight, (message, client) => this.overloaded(client, message))
        : counted;
    this.outbound = slowConsumer && {
      lowWatermark: slowConsumer.lowWatermark,
      gate: (socket, client) => this.outboundGate(socket, client, slowConsumer),
    };
    this.guard = new UpgradeGuard(this.options, (error) => this.report(error));
  }

  /** The bound address once started (read the port here when you asked for port 0). */
  get address(): AddressInfo | undefined {
    const address = this.wss?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  /** `ws://host:port/path` (`wss://` with TLS) once started. */
  get url(): string | undefined {
    const address = this.address;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const scheme = isSecureServer(this.options.server ?? this.listener) ? 'wss' : 'ws';
    return `${scheme}://${host}:${address.port}${this.options.path ?? ''}`;
  }

  /** Starts listening (or attaches to `server`). Resolves when ready; rejects with `ServerStartError`. Idempotent. */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new TransportStoppedError('This transport was stopped; create a new one to serve again'));
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /**
   * Stops gracefully: stops accepting; lets unfinished handler calls finish for up to `drainMs`
   * (their replies still go out); at that deadline cancels what still runs (Observable replies
   * are unsubscribed, late promise replies are dropped) and closes every client with 1001;
   * terminates those that have not closed after `stopGraceMs`; completes every stream.
   * Idempotent: the first call's options count.
   */
  stop(options: { readonly drainMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.drainMs ?? this.options.drainMs);
    return this.stopping;
  }

  /** The number of connected clients now. */
  getConnectedClients(): number {
    return this.clients.size;
  }

  getClients(): ClientConnection[] {
    return [...this.clients.values()];
  }

  getClient(id: string): ClientConnection | undefined {
    return this.clients.get(id);
  }

  /**
   * Closes one client's connection. Returns whether the client was connected. Throws `RangeError`
   * for a code that may not be sent in a close frame (RFC 6455 §7.4) or a reason over 123 bytes.
   */
  closeClient(id: string, code: number = CloseCode.Normal, reason = ''): boolean {
    if (!isSendableCloseCode(code)) throw new RangeError(`closeClient: ${code} is not a close code that may be sent`);
    if (Buffer.byteLength(reason) > 123) throw new RangeError('closeClient: the reason must be at most 123 bytes of UTF-8');
    const client = this.clients.get(id);
    client?.close(code, reason);
    return client !== undefined;
  }

  /**
   * Resolves `true` once at least `minClients` are connected (at once if they already are), or
   * `false` after `timeoutMs` or on `stop()`. Never rejects.
   */
  waitForClients(minClients = 1, timeoutMs = 30_000): Promise<boolean> {
    // clientCount$ completes on stop(), which countReached turns into false.
    return waitForCount(this.clientCount$, minClients, timeoutMs, this.options.scheduler);
  }

  /**
   * The next message from any client. Messages that arrive while nobody waits are kept, up to
   * `inboxSize` (oldest dropped first, reported on `errors$`); keeping starts with the first call,
   * so a server that never calls this buffers nothing. Rejects with `ReceiveTimeoutError` after
   * `timeoutMs`, with `TransportStoppedError` after `stop()`.
   */
  receiveMessage(timeoutMs?: number): Promise<ClientMessage> {
    if (!this.inbox) {
      this.inbox = new Inbox<ClientMessage>(
        this.options.inboxSize,
        ({ client }) =>
          this.report(
            new InboxOverflowError(`receiveMessage() buffer is full (${this.options.inboxSize}); dropping the oldest messages`),
            client.id,
          ),
        this.options.scheduler,
      );
      if (this.stopping) this.inbox.close(new TransportStoppedError('The server transport is stopped'));
    }
    return this.inbox.take(timeoutMs);
  }

  /** Sends `{ ...notification, type: 'notification' }` to every client. Resolves with how many it reached. */
  broadcastNotification(notification: JsonObject): Promise<number> {
    return this.sendMessage({ ...notification, type: 'notification' });
  }

  /** Sends one message to every client, serialised once. Resolves with how many it reached. */
  sendMessage(message: JsonObject): Promise<number> {
    return this.attempt(() => {
      const data = serialize(message);
      let reached = 0;
      // No copy needed: sends never join or remove clients synchronously, and a Map's iterator
      // tolerates changes anyway. Serialised once; each socket's writes are batched per turn.
      for (const client of this.clients.values()) {
        if (client.sendInBatch(data)) reached += 1;
      }
      return reached;
    });
  }

  /** Sends one message to one client. Resolves with 1 if it was sent, 0 if that client is not connected. */
  sendTo(clientId: string, message: JsonObject): Promise<number> {
    return this.attempt(() => {
      const client = this.clients.get(clientId);
      return client?.sendSerialized(serialize(message)) === true ? 1 : 0;
    });
  }

  private attempt(send: () => number): Promise<number> {
    try {
      return Promise.resolve(send());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new SerializationError(String(error)));
    }
  }

  private async listen(): Promise<void> {
    if (this.stopping) throw new TransportStoppedError('This transport was stopped; create a new one to serve again');
    const { server, host, port, path, maxMessageSize, protocols } = this.options;
    // Our own listener rather than ws's, so stop() can end connections that never upgrade.
    const listener = server ? undefined : createListener(this.options, (error) => this.report(error));
    const wss = new WebSocketServer({
      server: server ?? listener,
      ...(path === undefined ? {} : { path }),
      // Also caps inflated size: ws stops decompressing a message once it passes maxPayload (1009).
      maxPayload: maxMessageSize,
      clientTracking: false,
      perMessageDeflate: this.options.perMessageDeflate,
      verifyClient: (info: { origin: string; secure: boolean; req: IncomingMessage }, callback: VerifyCallback) =>
        this.guard.verifyClient(info, (verified, ...refusal) => {
          if (!verified || !this.options.resume) {
            callback(verified, ...refusal);
            return;
          }
          // Never rejects: a resume it cannot judge is judged again, synchronously, on accept.
          void this.checkResume(info.req).then(() => callback(true));
        }),
      handleProtocols: (offered: Set<string>) => protocols.find((protocol) => offered.has(protocol)) ?? false,
    });
    // ws re-emits the attached server's 'listening' and 'error', so one wait serves both cases.
    listener?.listen(port, host);
    if (!server) {
      try {
        await new Promise<void>((resolve, reject) => {
          wss.once('listening', resolve);
          wss.once('error', reject);
        });
      } catch (error) {
        wss.close();
        listener?.close();
        throw new ServerStartError(describeListenError(error, host, port), { cause: error });
      }
    }
    this.wss = wss;
    this.listener = listener;
    fromEmitter(wss, 'error', (error: Error) => error)
      .pipe(takeUntil(this.stopped$))
      .subscribe((error) => this.report(new SocketError(`WebSocket server error: ${error.message}`, { cause: error })));
    fromEmitter(wss, 'connection', (socket: WebSocket, request: IncomingMessage) => ({ socket, request }))
      .pipe(takeUntil(this.stopped$))
      .subscribe(({ socket, request }) => this.accept(socket, request));
    if (this.options.heartbeat) {
      heartbeat(() => this.clients.values(), this.options.heartbeat, this.options.scheduler)
        .pipe(takeUntil(this.stopped$))
        .subscribe((client) => client.terminate());
    }
    if (!server && !isLoopback(host)) {
      this.options.logger.warn(
        `nexus-mcp: listening on ${host}:${this.address?.port ?? port}, reachable from other machines; ` +
          `pass host: '127.0.0.1' to serve this machine only`,
      );
    }
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const asked = this.options.resume ? sessionRequestOf(request) : undefined;
    let expired: string | undefined;
    let refused: ResumeRefusedError | undefined;
    if (asked?.kind === 'resume') {
      const authInfo = this.guard.authInfoOf(request);
      refused = this.refusedResumes.get(request) ?? this.resumeRefusal(asked.token, authInfo);
      // The refused are told only what an unknown token gets: a fresh session, nothing about the one they named.
      expired = refused ? UNKNOWN_SESSION : this.resume(socket, request.socket, asked.token, asked.received);
      if (expired === undefined) return;
    }
    if (this.clients.size >= this.options.maxClients) {
      this.turnAway(socket, request);
      return;
    }
    const client = new ClientConnection(socket, request, {
      authInfo: this.guard.authInfoOf(request),
      outbound: this.outbound,
      redactCredentials: this.options.authenticate !== undefined,
    });
    this.clients.set(client.id, client);
    if (asked && asked.kind !== 'none') this.openSession(client, expired);
    this.wire(client, socket);
    this.countSubject.next(this.clients.size);
    this.connectionsSubject.next(client);
    if (refused) this.report(refused, client.id);
  }

  /**
   * Judges a resume before its socket is accepted, where waiting is possible: a session whose old
   * socket still looks open is pinged, and the resume is refused if it answers (the session is in
   * use, and the token in other hands must not cut it); if it does not, that socket is a dead
   * connection the server had not noticed, and it is dropped so the session can move.
   */
  private async checkResume(request: IncomingMessage): Promise<void> {
    const asked = sessionRequestOf(request);
    if (asked.kind !== 'resume') return;
    const client = this.sessions.get(asked.token);
    const resume = this.options.resume;
    if (!client || !resume) return;
    const authInfo = this.guard.authInfoOf(request);
    if (client.session?.owner !== authInfo?.clientId) {
      this.refusedResumes.set(request, principalRefusal(client.id, authInfo));
      return;
    }
    const previous = client.socket;
    if (previous.readyState !== previous.OPEN) return;
    if (await answersPing(previous, resume.liveCheckMs, this.options.scheduler)) this.refusedResumes.set(request, liveRefusal(client.id));
    else previous.terminate();
  }

  /** Why the session `token` names may not be resumed by this principal now; `undefined` if it may (or the token is unknown). */
  private resumeRefusal(token: string, authInfo: AuthInfo | undefined): ResumeRefusedError | undefined {
    const client = this.sessions.get(token);
    if (!client?.session) return undefined;
    if (client.session.owner !== authInfo?.clientId) return principalRefusal(client.id, authInfo);
    // Only a socket that answered the ping is still open here (checkResume drops a silent one).
    if (client.socket.readyState === client.socket.OPEN) return liveRefusal(client.id);
    return undefined;
  }

  /** The slow-consumer gate of one socket, made when its buffer first fills past the low watermark. */
  private outboundGate(socket: WebSocket, client: ClientConnection, policy: SlowConsumerOptions): OutboundGate {
    return new OutboundGate(socket, policy, this.options.scheduler, (event) => {
      // The policy closed it on purpose: not a drop to resume from.
      if (event.kind === 'disconnected') client.closedByServer = true;
      this.slowConsumerSubject.next({ ...event, clientId: client.id });
    });
  }

  /**
   * Listens to one socket of `client`. Plain listeners shared by every socket, not an Observable
   * chain per socket: with 10k idle clients those chains were two thirds of the server's heap per
   * connection (docs/benchmarks.md). The Observable edge is the transport's streams, fed from here.
   */
  private wire(client: ClientConnection, socket: WebSocket): void {
    this.owners.set(socket, client);
    this.listeners.attach(socket);
  }

  /** Starts a resumable session for a client that asked for one, and tells it the token. */
  private openSession(client: ClientConnection, expired: string | undefined): void {
    const resume = this.options.resume;
    if (!resume) return;
    const session = new ResumableSession(client.id, client.authInfo?.clientId, resume.store, () => this.options.scheduler.now());
    client.session = session;
    this.sessions.set(session.token, client);
    const frame = session.frame(false, expired === undefined ? {} : { expired: true, reason: expired });
    client.socket.send(JSON.stringify(frame));
  }

  /**
   * Moves a dropped client's session onto its new socket and replays what it missed. Returns
   * `undefined` once resumed, or why it could not (the client then gets a fresh session and is told).
   */
  private resume(socket: WebSocket, tcp: Socket, token: string, received: number): string | undefined {
    const client = this.sessions.get(token);
    const session = client?.session;
    if (!client || !session) return UNKNOWN_SESSION;
    const missed = session.missedSince(received);
    if (!missed) {
      this.finish(client, { code: CloseCode.Abnormal, reason: 'Session expired: replay log overflowed' });
      return 'Session expired: more was sent while away than the replay log keeps';
    }
    session.expiry?.unsubscribe();
    session.expiry = undefined;
    const previous = client.socket;
    this.listeners.mute(previous);
    client.attach(socket, tcp);
    // A half-open old socket the server has not noticed yet: the client has moved on from it.
    if (previous.readyState !== previous.CLOSED) previous.terminate();
    this.wire(client, socket);
    // Single use: the token that resumed the session is spent, and the client is given the next.
    this.sessions.delete(token);
    this.sessions.set(session.rotate(), client);
    socket.send(JSON.stringify(session.frame(true, { replayed: missed.length })));
    for (const entry of missed) socket.send(entry.data);
    this.resumptionsSubject.next({ clientId: client.id, replayed: missed.length });
    return undefined;
  }

  /** Accepts the socket only to close it with 1013: browsers cannot read an HTTP status, but they can read a close code. */
  private turnAway(socket: WebSocket, request: IncomingMessage): void {
    socket.on('error', () => undefined); // ws throws on an error event nobody hears
    socket.close(CloseCode.TryAgainLater, 'Server is full; try again later');
    const giveUp = timer(this.options.stopGraceMs, this.options.scheduler).subscribe(() => socket.terminate());
    socket.once('close', () => giveUp.unsubscribe());
    this.report(
      new ServerFullError(
        `Turned away a connection from ${request.socket.remoteAddress ?? 'an unknown address'}: ` +
          `${this.options.maxClients} clients connected (maxClients); closed with 1013`,
      ),
    );
  }

  private onFrame(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const client = this.owners.get(socket);
    if (!client) return;
    const rate = this.options.messageRate;
    if (rate) {
      client.messageRate ??= new MessageRateLimiter(rate, this.options.scheduler);
      const verdict = client.messageRate.check();
      if (verdict !== 'accept') {
        this.rateLimited(client, data, isBinary, verdict);
        return;
      }
    }
    if (isBinary) {
      this.rejectFrame(client, frameError('binary_frame'));
      if (this.options.binaryFrames === 'close') client.close(CloseCode.UnsupportedData, 'Binary frames are not supported');
      return;
    }
    const decoded = decodeTextFrame(rawDataToString(data));
    if (E.isLeft(decoded)) {
      this.rejectFrame(client, decoded.left);
      return;
    }
    const message = decoded.right;
    const incoming: ClientMessage = { client, message };
    this.messagesSubject.next(incoming);
    this.inbox?.push(incoming);
    const handler = this.handler;
    if (!handler) return;
    if (this.stopping) {
      // Draining what runs, not starting more: the sender may retry elsewhere or after a reconnect.
      const reply = this.options.errorReply({ kind: 'shutting_down', message: 'The server is shutting down', request: message });
      if (reply) client.sendSerialized(JSON.stringify(reply));
      return;
    }
    const replies = invokeHandler(handler, message, client, {
      reply: (reply) => this.reply(client, reply, message),
      fail: (error) => this.handlerFailed(client, message, error),
    });
    if (replies) client.track(replies);
  }

  private onPong(socket: WebSocket): void {
    const client = this.owners.get(socket);
    if (client) client.awaitingPong = false;
  }

  /** Over the message rate: an error reply, or after repeated abuse, close 1008. */
  private rateLimited(client: ClientConnection, data: RawData, isBinary: boolean, verdict: 'refuse' | 'close'): void {
    if (verdict === 'close') {
      if (!client.isOpen) return;
      this.report(new RateLimitedError(`Client ${client.id} kept sending over its message rate; closed with 1008`), client.id);
      client.close(CloseCode.PolicyViolation, 'Message rate exceeded');
      return;
    }
    this.report(new RateLimitedError(`Refused a message from client ${client.id}: over its message rate`), client.id);
    // Parsed only to let the reply name the request (a JSON-RPC id); a bad frame gets a reply without it.
    const decoded = isBinary ? undefined : decodeTextFrame(rawDataToString(data));
    const request = decoded && E.isRight(decoded) ? decoded.right : undefined;
    const reply = this.options.errorReply({ kind: 'rate_limited', message: 'Too many messages; slow down', ...(request ? { request } : {}) });
    if (reply) client.sendSerialized(JSON.stringify(reply));
  }

  /** Over `maxInFlight`: the reply the sender gets instead of a handler call. */
  private overloaded(client: ClientConnection, request: JsonObject): JsonObject | undefined {
    this.report(
      new OverloadedError(`Refused a message from client ${client.id}: ${this.options.maxInFlight ?? 0} handler calls already running (maxInFlight)`),
      client.id,
    );
    return this.options.errorReply({ kind: 'overloaded', message: 'Too many requests in progress; retry later', request });
  }

  private rejectFrame(client: ClientConnection, problem: FrameError): void {
    this.report(new InvalidFrameError(`${problem.message} (client ${client.id})`), client.id);
    const reply = this.options.errorReply(problem);
    if (reply) client.sendSerialized(JSON.stringify(reply));
  }

  private reply(client: ClientConnection, reply: JsonObject, request: JsonObject): void {
    let data: string;
    try {
      data = serialize(reply);
    } catch (error) {
      this.handlerFailed(client, request, error);
      return;
    }
    client.sendSerialized(data);
  }

  private handlerFailed(client: ClientConnection, request: JsonObject, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.report(new HandlerError(`Message handler failed for client ${client.id}: ${reason}`, { cause: error }), client.id);
    const reply = this.options.errorReply({ kind: 'handler_failed', message: 'Internal server error', request });
    if (reply) client.sendSerialized(JSON.stringify(reply));
  }

  private onSocketError(socket: WebSocket, error: Error): void {
    const client = this.owners.get(socket);
    if (!client) return;
    if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.tooLarge.add(client);
      this.report(
        new MessageTooLargeError(
          `Client ${client.id} sent a message over maxMessageSize (${this.options.maxMessageSize} bytes); closed with 1009`,
          { cause: error },
        ),
        client.id,
      );
      return;
    }
    this.report(new SocketError(`Socket error on client ${client.id}: ${error.message}`, { cause: error }), client.id);
  }

  private onSocketClose(socket: WebSocket, closed: CloseInfo): void {
    const client = this.owners.get(socket);
    if (client?.socket !== socket) return; // an old socket of a resumed session
    this.listeners.mute(socket);
    // ws closed it for us with 1009 and reports 1006 locally: say what the client saw.
    const info = this.tooLarge.has(client) ? { code: CloseCode.MessageTooBig, reason: 'Message too big' } : closed;
    const session = client.session;
    const resumable = session && !client.closedByServer && !this.stopping && isDrop(info.code);
    if (!resumable) {
      this.finish(client, info);
      return;
    }
    client.detach();
    const windowMs = this.options.resume ? this.options.resume.windowMs : 0;
    session.expiry = timer(windowMs, this.options.scheduler).subscribe(() => this.finish(client, info));
  }

  /** The client is gone for good: forget it, end its work and its session, tell the streams. */
  private finish(client: ClientConnection, info: CloseInfo): void {
    if (!this.clients.delete(client.id)) return;
    if (client.session) {
      this.sessions.delete(client.session.token);
      client.session.forget();
    }
    client.markClosed(info);
    this.countSubject.next(this.clients.size);
    this.disconnectionsSubject.next({ clientId: client.id, client: client.toInfo(), code: info.code, reason: info.reason });
  }

  private report(error: TransportError, clientId?: string): void {
    this.errorsSubject.next(clientId === undefined ? { error } : { error, clientId });
  }

  private async shutdown(drainMs: number): Promise<void> {
    this.stopped$.next();
    this.stopped$.complete();
    await this.starting?.catch(() => undefined);
    const wss = this.wss;
    const listener = this.listener;
    // Stop accepting first: no new connections while draining and closing.
    const listenerStopped = listener ? stopListening(listener) : Promise.resolve();
    const wssClosed = new Promise<void>((resolve) => {
      if (wss) wss.close(() => resolve());
      else resolve();
    });
    if (drainMs > 0 && this.calls.inFlight > 0) {
      await firstValueFrom(race(from(this.calls.whenIdle()), timer(drainMs, this.options.scheduler)));
    }
    const clients = [...this.clients.values()];
    for (const client of clients) {
      // The drain is over: cancel what still runs now, not once this client gets round to closing.
      client.cancelWork();
      // A dropped client waiting to resume has no socket to close: its session ends here.
      if (client.socket.readyState === client.socket.CLOSED) this.finish(client, { code: CloseCode.GoingAway, reason: 'Server shutting down' });
      else client.close(CloseCode.GoingAway, 'Server shutting down');
    }
    const allClosed = Promise.all(clients.map((client) => lastValueFrom(client.closed$, { defaultValue: undefined })));
    await firstValueFrom(race(from(allClosed), timer(this.options.stopGraceMs, this.options.scheduler)));
    for (const client of clients) if (this.clients.has(client.id)) client.terminate();
    await allClosed;
    await wssClosed;
    if (listener) dropConnections(listener);
    await listenerStopped;
    this.inbox?.close(new TransportStoppedError('The server transport is stopped'));
    this.connectionsSubject.complete();
    this.disconnectionsSubject.complete();
    this.messagesSubject.complete();
    this.errorsSubject.complete();
    this.slowConsumerSubject.complete();
    this.resumptionsSubject.complete();
    this.countSubject.complete();
  }
}

type VerifyCallback = (verified: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

const UNKNOWN_SESSION = 'Session expired or unknown';

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

/** 1000–1014 except the three reserved for "no frame" cases, or the registered and private ranges. */
function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1014) return code !== 1004 && code !== 1005 && code !== 1006;
  return code >= 3000 && code <= 4999;
}

/** A connection that ended without a close frame: the kind a client may come back from. */
function isDrop(code: number): boolean {
  return code === CloseCode.Abnormal || code === CloseCode.HeartbeatTimeout;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function describeListenError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Cannot listen on ${host}:${port}: the port is already in use`;
  if (code === 'EACCES') return `Cannot listen on ${host}:${port}: permission denied`;
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${host}:${port}: the address is not available on this machine`;
  return `Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}
