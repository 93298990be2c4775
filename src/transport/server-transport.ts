import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  distinctUntilChanged,
  firstValueFrom,
  from,
  lastValueFrom,
  race,
  Subject,
  takeUntil,
  timer,
  type Observable,
} from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeTextFrame, frameError, type FrameError, type JsonObject } from '../protocol/index.js';
import { ClientConnection, type ClientInfo } from './client-connection.js';
import { CloseCode } from './close-codes.js';
import {
  HandlerError,
  InboxOverflowError,
  InvalidFrameError,
  MessageTooLargeError,
  SerializationError,
  ServerStartError,
  SocketError,
  TransportStoppedError,
  type TransportError,
  type TransportErrorEvent,
} from './errors.js';
import { heartbeat } from './heartbeat.js';
import { Inbox } from './inbox.js';
import { invokeHandler } from './message-handler.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerTransportOptions } from './server-options.js';
import { fromEmitter, rawDataToString, socketEvents, type CloseInfo, type Frame } from './socket-events.js';
import { serialize } from './serialize.js';
import { waitForCount } from './wait-for-count.js';

/** A message as it arrived: who sent it and what it said. */
export interface ClientMessage {
  readonly client: ClientConnection;
  readonly message: JsonObject;
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
  private readonly stopped$ = new Subject<void>();
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

  constructor(options: ServerTransportOptions = {}) {
    this.options = resolveServerOptions(options);
  }

  /** The bound address once started (read the port here when you asked for port 0). */
  get address(): AddressInfo | undefined {
    const address = this.wss?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  /** `ws://host:port/path` once started. */
  get url(): string | undefined {
    const address = this.address;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}${this.options.path ?? ''}`;
  }

  /** Starts listening (or attaches to `server`). Resolves when ready; rejects with `ServerStartError`. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /**
   * Stops gracefully: stops accepting, closes every client with 1001, terminates those that have
   * not closed after `stopGraceMs`, then completes every stream. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
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

  /** Closes one client's connection. Returns whether the client was connected. */
  closeClient(id: string, code: number = CloseCode.Normal, reason = ''): boolean {
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
      // A snapshot: clients that join or leave while we write neither break nor skew the loop.
      for (const client of [...this.clients.values()]) {
        if (client.sendSerialized(data)) reached += 1;
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
    const wss = new WebSocketServer({
      ...(server ? { server } : { host, port }),
      ...(path === undefined ? {} : { path }),
      maxPayload: maxMessageSize,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => protocols.find((protocol) => offered.has(protocol)) ?? false,
    });
    if (!server) {
      try {
        await new Promise<void>((resolve, reject) => {
          wss.once('listening', resolve);
          wss.once('error', reject);
        });
      } catch (error) {
        wss.close();
        throw new ServerStartError(describeListenError(error, host, port), { cause: error });
      }
    }
    this.wss = wss;
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
    const client = new ClientConnection(socket, request);
    const events = socketEvents(socket);
    this.clients.set(client.id, client);
    client.work.add(events.error$.subscribe((error) => this.onSocketError(client, error)));
    client.work.add(
      events.pong$.subscribe(() => {
        client.awaitingPong = false;
      }),
    );
    client.work.add(events.frames$.subscribe((frame) => this.onFrame(client, frame)));
    events.close$.subscribe((info) => this.onClose(client, info));
    this.countSubject.next(this.clients.size);
    this.connectionsSubject.next(client);
  }

  private onFrame(client: ClientConnection, frame: Frame): void {
    if (frame.isBinary) {
      this.rejectFrame(client, frameError('binary_frame'));
      if (this.options.binaryFrames === 'close') client.close(CloseCode.UnsupportedData, 'Binary frames are not supported');
      return;
    }
    const decoded = decodeTextFrame(rawDataToString(frame.data));
    if (E.isLeft(decoded)) {
      this.rejectFrame(client, decoded.left);
      return;
    }
    const message = decoded.right;
    const incoming: ClientMessage = { client, message };
    this.messagesSubject.next(incoming);
    this.inbox?.push(incoming);
    const handler = this.options.handler;
    if (!handler) return;
    const cancel = invokeHandler(handler, message, client, {
      reply: (reply) => this.reply(client, reply, message),
      fail: (error) => this.handlerFailed(client, message, error),
    });
    if (cancel) client.work.add(cancel);
  }

  private rejectFrame(client: ClientConnection, problem: FrameError): void {
    this.report(new InvalidFrameError(`${problem.message} (client ${client.id})`), client.id);
    const reply = this.options.errorReply({ kind: problem.kind, message: problem.message });
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

  private onSocketError(client: ClientConnection, error: Error): void {
    if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
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

  private onClose(client: ClientConnection, info: CloseInfo): void {
    this.clients.delete(client.id);
    client.work.unsubscribe();
    client.markClosed(info);
    this.countSubject.next(this.clients.size);
    this.disconnectionsSubject.next({ clientId: client.id, client: client.toInfo(), code: info.code, reason: info.reason });
  }

  private report(error: TransportError, clientId?: string): void {
    this.errorsSubject.next(clientId === undefined ? { error } : { error, clientId });
  }

  private async shutdown(): Promise<void> {
    this.stopped$.next();
    this.stopped$.complete();
    await this.starting?.catch(() => undefined);
    const wss = this.wss;
    const listenerClosed = new Promise<void>((resolve) => {
      if (wss) wss.close(() => resolve());
      else resolve();
    });
    const clients = [...this.clients.values()];
    for (const client of clients) client.close(CloseCode.GoingAway, 'Server shutting down');
    const allClosed = Promise.all(clients.map((client) => lastValueFrom(client.closed$, { defaultValue: undefined })));
    await firstValueFrom(race(from(allClosed), timer(this.options.stopGraceMs, this.options.scheduler)));
    for (const client of clients) if (this.clients.has(client.id)) client.terminate();
    await allClosed;
    await listenerClosed;
    this.inbox?.close(new TransportStoppedError('The server transport is stopped'));
    this.connectionsSubject.complete();
    this.disconnectionsSubject.complete();
    this.messagesSubject.complete();
    this.errorsSubject.complete();
    this.countSubject.complete();
  }
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
