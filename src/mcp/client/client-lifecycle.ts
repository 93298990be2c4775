import { BehaviorSubject, distinctUntilChanged, Subscription, type Observable, type SchedulerLike } from 'rxjs';
import {
  jsonRpcNotification,
  jsonRpcRequest,
  LifecycleMethod,
  type ClientCapabilities,
  type InitializeResult,
  type JsonObject,
  type JsonRpcResponse,
  type RequestId,
} from '../../protocol/index.js';
import type { ClientState } from '../../transport/client/client-core.js';
import type { SessionOutcome } from '../../transport/client/client-session.js';
import type { ClientChannel } from './channels/client-channel.js';
import type { ChannelOpener } from './channels/channel-for-url.js';
import { decodeInitializeResult } from './client-results.js';
import { ConnectionClosedError, McpError } from '../mcp-error.js';
import { RequestCorrelator } from '../request-correlator.js';
import type { McpClientState, RequestOptions, ResolvedClientOptions } from './simple-client-options.js';

/** What the lifecycle hands back to the client it serves. */
export interface LifecycleHooks {
  /** Each JSON object the server sends, once the lifecycle has read what it says about the session. */
  readonly onMessage: (message: JsonObject) => void;
  /** A re-initialization failed for another reason than one more drop: the client reports it and disconnects. */
  readonly onFatal: (error: Error) => void;
  /** A problem of the connection that is nobody's call (Streamable HTTP: an event stream that cannot be reopened). */
  readonly reportError: (error: Error) => void;
  /** A request of the server will hear no more from it (Streamable HTTP: its stream was let go): its handler is aborted. */
  readonly orphaned: (requestId: RequestId, reason: string) => void;
  /** What `initialize` declares: the option's capabilities with those of the registered handlers. */
  readonly capabilities: () => ClientCapabilities;
}

/**
 * The connection under a `SimpleMCPClient` and the MCP session on it: opens the channel, performs
 * the handshake, and after a drop either waits for the server to resume the session or fails the
 * calls in flight and initializes afresh. It owns the client's state and the calls in flight
 * (sending them too), because every change of state decides what becomes of them.
 */
export class ClientLifecycle {
  private readonly stateSubject = new BehaviorSubject<McpClientState>('idle');
  private readonly correlator: RequestCorrelator;
  private channel: ClientChannel | undefined;
  private wiring: Subscription | undefined;
  private initialized: InitializeResult | undefined;
  private everReady = false;
  /** `stop()` ran: the client is disconnecting or disconnected. */
  private stopped = false;
  /** `initialize` exchanges under way: a superseded one may still be unwinding when the next starts. */
  private handshakes = 0;
  /** The channel's last state. */
  private channelState: ClientState = 'closed';
  /** The server gave the current (or last) connection a resumable session. */
  private sessionBacked = false;
  /** A session-backed connection dropped: the next open's session outcome decides resume or start afresh. */
  private awaitingSession = false;
  private probes = 0;

  /** The client's state; replays the current one. */
  readonly state$: Observable<McpClientState> = this.stateSubject.pipe(distinctUntilChanged());

  constructor(
    private readonly url: string,
    private readonly options: ResolvedClientOptions,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: LifecycleHooks,
    private readonly openChannel: ChannelOpener,
  ) {
    this.correlator = new RequestCorrelator(scheduler);
  }

  get state(): McpClientState {
    return this.stateSubject.value;
  }

  /** What the server said in the latest completed `initialize`. */
  get initializeResult(): InitializeResult | undefined {
    return this.initialized;
  }

  /** Opens the channel and performs the first handshake. */
  async open(): Promise<InitializeResult> {
    this.stateSubject.next('connecting');
    const channel = this.openChannel(this.url, this.options, this.scheduler);
    this.channel = channel;
    // The session outcome of an open arrives before any message of that connection.
    this.wiring = new Subscription();
    this.wiring.add(channel.session$.subscribe((outcome) => this.onSessionOutcome(outcome)));
    this.wiring.add(channel.messages$.subscribe((message) => this.onMessage(message)));
    this.wiring.add(channel.state$.subscribe({ next: (state) => this.onChannelState(state), complete: () => this.onChannelState('closed') }));
    if (channel.expired$) this.wiring.add(channel.expired$.subscribe((error) => this.renewSession(error)));
    if (channel.problems$) this.wiring.add(channel.problems$.subscribe((error) => this.hooks.reportError(error)));
    if (channel.orphaned$) this.wiring.add(channel.orphaned$.subscribe(({ requestId, reason }) => this.hooks.orphaned(requestId, reason)));
    try {
      await channel.start();
    } catch (error) {
      throw new ConnectionClosedError(`Could not connect to ${this.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return this.handshake();
  }

  /**
   * The first half of disconnecting: `closed`, calls in flight fail, the channel is told to stop.
   * Returns that stop (it never rejects). The client awaits it, then calls `completeState()`: split
   * in two so that `state$` completes after the channel has stopped and before the client's streams.
   */
  stop(): Promise<unknown> | undefined {
    this.stateSubject.next('closed');
    this.correlator.failAll(new ConnectionClosedError('The client disconnected'));
    this.wiring?.unsubscribe();
    const stopping = this.channel?.stop().catch(() => undefined);
    this.stopped = true;
    return stopping;
  }

  /** The last step of disconnecting: `state$` completes. */
  completeState(): void {
    this.stateSubject.complete();
  }

  /**
   * Sends one request now, correlated by id, bounded by `timeoutMs` (or what is left of it,
   * `remainingMs`), cancellable by `signal`. `onSettled` gets the id once the call is over (it was
   * used as a progress token).
   */
  send(
    method: string,
    params: (id: number) => JsonObject | undefined,
    options: RequestOptions & { timeoutMs: number; remainingMs?: number },
    onSettled?: (id: number) => void,
  ): Promise<JsonObject> {
    let sentId: number | undefined;
    const pending = this.correlator.request({
      method,
      params: (id) => {
        sentId = id;
        return params(id);
      },
      timeoutMs: options.timeoutMs,
      ...(options.remainingMs === undefined ? {} : { remainingMs: options.remainingMs }),
      ...(options.signal ? { signal: options.signal } : {}),
      send: (id, name, body) =>
        this.requireChannel()
          .send(jsonRpcRequest(id, name, body))
          .catch((error: unknown) => {
            // The channel's typed errors (HTTP statuses, an expired session) say more than "could not be sent".
            if (error instanceof McpError) throw error;
            throw new ConnectionClosedError(`${name} could not be sent: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
          }),
      onAbandoned: (id, reason) => {
        // Only to the session that saw the request: while a resume is pending the transport queues
        // it for the next connection (a fresh session ignores an id it never saw).
        if (this.state === 'ready' || this.awaitingSession) {
          this.sendBestEffort(jsonRpcNotification(LifecycleMethod.cancelled, { requestId: id, reason }));
        }
      },
    });
    return pending.finally(() => {
      if (sentId === undefined) return;
      this.channel?.release?.(sentId);
      onSettled?.(sentId);
    });
  }

  /** A reply from the server, for the call in flight with its id. */
  acceptReply(response: JsonRpcResponse): void {
    this.correlator.accept(response);
  }

  /** For what nobody waits on (answers to the server, probes, cancellations): without a channel, nothing is sent. */
  sendBestEffort(message: JsonObject): void {
    this.channel?.send(message).catch(() => undefined);
  }

  private async handshake(): Promise<InitializeResult> {
    this.stateSubject.next('initializing');
    this.handshakes += 1;
    try {
      return await this.initialize();
    } finally {
      this.handshakes -= 1;
    }
  }

  private async initialize(): Promise<InitializeResult> {
    const { protocolVersion, clientInfo } = this.options;
    const capabilities = this.hooks.capabilities();
    const raw = await this.send(LifecycleMethod.initialize, () => ({ protocolVersion, capabilities, clientInfo }), {
      timeoutMs: this.options.requestTimeoutMs,
    });
    const result = decodeInitializeResult(raw);
    await this.requireChannel().send(jsonRpcNotification(LifecycleMethod.initialized));
    this.initialized = result;
    this.everReady = true;
    if (this.state === 'initializing') this.stateSubject.next('ready');
    return result;
  }

  private onChannelState(state: ClientState): void {
    this.channelState = state;
    if (this.stopped) return;
    if (state === 'open') {
      if (this.awaitingSession) {
        this.probeSession();
        return;
      }
      if (this.everReady) this.reinitialize(); // the first handshake is connect()'s
      return;
    }
    if (state === 'reconnecting' || (state === 'connecting' && this.everReady)) {
      this.stateSubject.next('reconnecting');
      // The server keeps a resumable session (its handlers, their replies) for its window: wait and see.
      if (this.sessionBacked) {
        this.awaitingSession = true;
        return;
      }
      this.correlator.failAll(new ConnectionClosedError('The connection dropped before the reply arrived; the request may or may not have run'));
      return;
    }
    if (state === 'closed' && this.state !== 'idle' && this.state !== 'connecting') {
      this.awaitingSession = false;
      this.stateSubject.next('closed');
      this.correlator.failAll(new ConnectionClosedError('The connection closed before the reply arrived'));
    }
  }

  /** The server's word on the session of the connection that just opened. */
  private onSessionOutcome(outcome: SessionOutcome): void {
    this.sessionBacked = true;
    if (!this.awaitingSession || this.stopped) return; // a first open: nothing to carry over
    this.awaitingSession = false;
    if (outcome.resumed) {
      // Calls in flight stay pending: their replies are in the replay that follows.
      this.stateSubject.next(this.handshakes > 0 ? 'initializing' : 'ready');
      return;
    }
    // `expired` says the server could not resume; a fresh session without it ends the old one all the same.
    this.startAfresh('The session expired while the connection was down, and with it the reply; the request may or may not have run');
  }

  private onMessage(message: JsonObject): void {
    if (this.awaitingSession && this.channelState === 'open') {
      // No session outcome came first: the server we reached offers no sessions.
      this.awaitingSession = false;
      this.sessionBacked = false;
      this.startAfresh('The connection dropped and the server did not resume the session; the request may or may not have run');
    }
    this.hooks.onMessage(message);
  }

  /**
   * After reopening a session-backed connection: asks for a reply, because a server still offering
   * sessions sends its session outcome before anything else. A message arriving while the outcome
   * is still awaited means this server offers none (see `onMessage`).
   */
  private probeSession(): void {
    this.probes += 1;
    this.sendBestEffort(jsonRpcRequest(`nexus-session-probe-${this.probes}`, LifecycleMethod.ping));
  }

  /** The old session is gone: what waited for it fails, and the client initializes a new one. */
  private startAfresh(why: string): void {
    this.correlator.failAll(new ConnectionClosedError(why));
    // Before the first handshake finished, failing its initialize is what rejects connect().
    if (this.everReady) this.reinitialize();
  }

  /**
   * The server ended the session on its own (a Streamable HTTP 404): calls in flight fail with
   * `error`, and the client initializes a new session, once; if that fails too, the client reports
   * it and disconnects (over HTTP no reconnection will bring another try).
   */
  private renewSession(error: Error): void {
    if (this.stopped) return;
    this.correlator.failAll(error);
    // Before the first handshake finished, failing its initialize is what rejects connect().
    if (!this.everReady) return;
    this.stateSubject.next('reconnecting');
    this.handshake().catch((failure: unknown) => this.hooks.onFatal(failure instanceof Error ? failure : new Error(String(failure))));
  }

  private reinitialize(): void {
    this.handshake().catch((error: unknown) => {
      if (error instanceof ConnectionClosedError) return; // dropped again: the next open retries
      this.hooks.onFatal(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private requireChannel(): ClientChannel {
    if (this.stopped) throw new ConnectionClosedError('The client disconnected');
    if (!this.channel) throw new ConnectionClosedError('Not connected');
    return this.channel;
  }
}
