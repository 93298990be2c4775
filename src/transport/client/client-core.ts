import * as E from 'fp-ts/lib/Either.js';
import { BehaviorSubject, defer, distinctUntilChanged, Subject, timer, type Observable, type Subscription } from 'rxjs';
import { decodeTextFrame, type JsonObject } from '../../protocol/index.js';
import { connectSocket, OPEN, type ConnectParams, type WebSocketConstructor, type WebSocketLike } from './client-socket.js';
import { resolveClientOptions, type ClientTransportOptions, type ResolvedClientOptions } from './client-options.js';
import {
  HandlerError,
  InboxOverflowError,
  InvalidFrameError,
  MessageTooLargeError,
  NotConnectedError,
  SessionExpiredError,
  SocketError,
  TransportStoppedError,
  type TransportError,
} from '../errors.js';
import { Inbox } from '../flow/inbox.js';
import { reconnect } from '../operators/reconnect.js';
import { connectionFailure } from './connection-failure.js';
import { SendQueue, type Settle } from './send-queue.js';
import { serialize } from '../server/serialize.js';
import { ClientSession, type SessionOutcome } from './client-session.js';

/**
 * `connecting`: before the first open (and while retrying it). `open`: connected.
 * `reconnecting`: was open, lost the connection, retrying. `closed`: not started, stopped, or gave up.
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';


/**
 * The WebSocket client transport without a platform: everything `WebSocketClientTransport` does,
 * given the WebSocket constructor to use by default. The Node client (ws) and the browser client
 * (the native WebSocket) are this class with their own default, so neither platform's import
 * reaches the other's bundle.
 * @internal
 */
export class ClientTransportCore {
  private readonly options: ResolvedClientOptions;
  private readonly stateSubject = new BehaviorSubject<ClientState>('closed');
  private readonly messagesSubject = new Subject<JsonObject>();
  private readonly errorsSubject = new Subject<TransportError>();
  private readonly sessionSubject = new Subject<SessionOutcome>();
  private readonly queue: SendQueue | undefined;
  private readonly inbox: Inbox<JsonObject>;
  /** ws, rather than a browser's WebSocket: its send takes a callback, and its upgrade takes headers. */
  private readonly isWs: boolean;
  private socket: WebSocketLike | undefined;
  private session: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private rejectStart: ((error: TransportError) => void) | undefined;
  private stopping: Promise<void> | undefined;
  private failure: TransportError | undefined;
  private everOpened = false;
  /** Overflow of the receive buffer is worth a warning only to a caller of receiveMessage(). */
  private receiving = false;
  /** Session resumption: asked for until a server shows it does not offer it. */
  private readonly sessionState: ClientSession;

  /** Connection state; replays the current one to each subscriber. Completes on stop or failure. */
  readonly state$: Observable<ClientState> = this.stateSubject.pipe(distinctUntilChanged());
  /** Every message from the server (hot). */
  readonly messages$: Observable<JsonObject> = this.messagesSubject.asObservable();
  /**
   * The outcome of each open for a client with resumption: `resumed` (what was missed is being
   * replayed, nothing was lost) or a fresh session (`expired` when a resume was refused and
   * messages were lost). Silent when the server does not offer sessions. Completes on stop.
   */
  readonly session$: Observable<SessionOutcome> = this.sessionSubject.asObservable();
  /** Bad frames, handler failures, the final connection failure. Never errors. */
  readonly errors$: Observable<TransportError> = this.errorsSubject.asObservable();

  constructor(
    /** The URL it connects to. */
    readonly uri: string,
    options: ClientTransportOptions,
    defaultWebSocket: WebSocketConstructor,
  ) {
    this.options = resolveClientOptions(options, defaultWebSocket);
    this.sessionState = new ClientSession(this.options.resume);
    this.queue = this.options.queue && new SendQueue(this.options.queue, this.options.scheduler);
    this.inbox = new Inbox<JsonObject>(
      this.options.inboxSize,
      () => {
        if (this.receiving) {
          this.errorsSubject.next(new InboxOverflowError(`receiveMessage() buffer is full (${this.options.inboxSize}); dropping the oldest messages`));
        }
      },
      this.options.scheduler,
    );
    this.isWs = 'ping' in this.options.WebSocket.prototype;
  }

  /** The state now (`state$` follows its changes). */
  get state(): ClientState {
    return this.stateSubject.value;
  }

  /** Whether a socket is open now, so a send goes out at once instead of into the queue. */
  isConnected(): boolean {
    return this.state === 'open' && this.socket?.readyState === OPEN;
  }

  /**
   * Connects. Resolves at the first open. A failed first attempt is retried under the same policy
   * as a dropped connection; the promise rejects with `ConnectionFailedError` only when the policy
   * gives up (a fatal close code, `maxRetries` used up, or reconnect disabled). Idempotent.
   */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new TransportStoppedError('This client was stopped; create a new one'));
    // A client that gave up stays closed: its streams are complete, so a new one is the way back.
    if (this.failure) return Promise.reject(this.failure);
    this.starting ??= new Promise<void>((resolve, reject) => {
      this.rejectStart = reject;
      this.stateSubject.next('connecting');
      const { scheduler, random, reconnect: policy } = this.options;
      this.session = defer(() => connectSocket(this.connectParams()))
        .pipe(
          reconnect(policy, scheduler, random, () => {
            this.socket = undefined;
            this.stateSubject.next(this.everOpened ? 'reconnecting' : 'connecting');
          }),
        )
        .subscribe({
          next: (event) => {
            if (event.kind === 'open') this.onOpen(event.socket, resolve);
            else this.onData(event.data);
          },
          error: (error: unknown) => this.onFailure(error),
        });
    });
    return this.starting;
  }

  /** Closes with 1000, never reconnects after, rejects what is queued, completes every stream. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /**
   * Sends one message. While connected it resolves once the frame is written; while reconnecting
   * it waits in the bounded queue and resolves when flushed after the next open. Rejects with
   * `QueueFullError`, `QueueExpiredError`, `NotConnectedError` (queue disabled or not started),
   * `TransportStoppedError` or `ConnectionFailedError`: never a silent drop.
   */
  sendMessage(message: JsonObject): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle: Settle = (error) => (error ? reject(error) : resolve());
      if (this.stopping) return settle(new TransportStoppedError('The client transport is stopped'));
      if (this.failure) return settle(this.failure);
      let data: string;
      try {
        data = serialize(message);
      } catch (error) {
        settle(error as TransportError);
        return;
      }
      if (this.socket?.readyState === OPEN && this.state === 'open') return this.write(this.socket, data, settle);
      if (!this.starting) return settle(new NotConnectedError('The client is not started; call start() first'));
      if (!this.queue) return settle(new NotConnectedError(`Not connected (${this.state}) and the send queue is disabled`));
      this.queue.enqueue(data, settle);
    });
  }

  /**
   * The next message from the server. Messages that arrived since the last call wait in a bounded
   * buffer (`inboxSize`), so nothing is lost between two calls. Rejects with `ReceiveTimeoutError`
   * after `timeoutMs`, with `TransportStoppedError` after `stop()`.
   */
  receiveMessage(timeoutMs?: number): Promise<JsonObject> {
    this.receiving = true;
    return this.inbox.take(timeoutMs);
  }

  /** One connection attempt: the session request (a new one, or the token to resume with) rides on it. */
  private connectParams(): ConnectParams {
    const { WebSocket, protocols, socketOptions, connectTimeout, heartbeat, scheduler } = this.options;
    return this.sessionState.attempt(this.uri, { WebSocket, protocols, socketOptions, connectTimeout, heartbeat, scheduler }, this.isWs);
  }

  private write(socket: WebSocketLike, data: string, settle: Settle): void {
    // A browser's send takes no callback: done once handed over.
    if (!this.isWs) {
      socket.send(data);
      settle();
      return;
    }
    socket.send(data, (error) => settle(error ? new SocketError(`Send failed: ${error.message}`, { cause: error }) : undefined));
  }

  private onOpen(socket: WebSocketLike, resolve: () => void): void {
    this.socket = socket;
    this.everOpened = true;
    this.sessionState.opened();
    // Queued sends go out before anything sent in reaction to the state change.
    this.queue?.flush((data, settle) => this.write(socket, data, settle));
    this.stateSubject.next('open');
    resolve();
  }

  private onData(data: unknown): void {
    const outcome = this.sessionState.take(data);
    if (outcome) {
      this.onSessionOutcome(outcome);
      return;
    }
    if (typeof data !== 'string') {
      this.errorsSubject.next(new InvalidFrameError('Received a binary frame; only JSON text frames are accepted'));
      return;
    }
    if (data.length > this.options.maxMessageSize) {
      // Only reachable on a native WebSocket: ws enforces maxPayload itself and closes with 1009.
      this.errorsSubject.next(new MessageTooLargeError(`Dropped a message over maxMessageSize (${this.options.maxMessageSize} bytes)`));
      return;
    }
    const decoded = decodeTextFrame(data);
    if (E.isLeft(decoded)) {
      this.errorsSubject.next(new InvalidFrameError(`Received a bad frame: ${decoded.left.message}`));
      return;
    }
    const message = decoded.right;
    this.messagesSubject.next(message);
    this.inbox.push(message);
    const handler = this.options.messageHandler;
    if (!handler) return;
    try {
      const result = handler(message);
      if (result instanceof Promise) result.catch((error: unknown) => this.handlerFailed(error));
    } catch (error) {
      this.handlerFailed(error);
    }
  }

  private onSessionOutcome({ reason, ...outcome }: SessionOutcome & { readonly reason?: string }): void {
    if (outcome.expired) {
      this.errorsSubject.next(new SessionExpiredError(`${reason ?? 'Session expired'}; messages sent while disconnected were lost`));
    }
    this.sessionSubject.next(outcome);
  }

  private handlerFailed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.errorsSubject.next(new HandlerError(`Client message handler failed: ${reason}`, { cause: error }));
  }

  private onFailure(error: unknown): void {
    this.socket = undefined;
    const failure = connectionFailure(error, this.options.reconnect.maxRetries);
    this.failure = failure;
    this.errorsSubject.next(failure);
    this.finish(failure);
  }

  private async shutdown(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket?.readyState === OPEN) {
      const closed = new Promise<void>((resolve) => {
        // A peer that never answers the close frame: give up on the handshake after a while.
        const giveUp = timer(2000, this.options.scheduler).subscribe(() => {
          socket.terminate?.();
          resolve();
        });
        socket.addEventListener('close', () => {
          giveUp.unsubscribe();
          resolve();
        });
      });
      this.session?.unsubscribe(); // closes with 1000
      await closed;
    } else {
      this.session?.unsubscribe();
    }
    this.finish(new TransportStoppedError('The client transport was stopped'));
  }

  private finish(reason: TransportError): void {
    this.rejectStart?.(reason);
    this.queue?.rejectAll(reason);
    this.inbox.close(reason);
    this.stateSubject.next('closed');
    this.stateSubject.complete();
    this.messagesSubject.complete();
    this.sessionSubject.complete();
    this.errorsSubject.complete();
  }
}
