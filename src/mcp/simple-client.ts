import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { asyncScheduler, BehaviorSubject, distinctUntilChanged, filter, firstValueFrom, Subject, Subscription, timeout, type Observable, type SchedulerLike } from 'rxjs';
import {
  CallToolResultCodec,
  classifyMessage,
  GetPromptResultCodec,
  InitializeResultCodec,
  isLegacyProtocolVersion,
  jsonRpcError,
  JsonRpcErrorCode,
  jsonRpcNotification,
  jsonRpcRequest,
  jsonRpcResult,
  LATEST_LEGACY_PROTOCOL_VERSION,
  LifecycleMethod,
  ListPromptsResultCodec,
  ListResourcesResultCodec,
  ListResourceTemplatesResultCodec,
  ListToolsResultCodec,
  ProgressParamsCodec,
  PromptsMethod,
  ReadResourceResultCodec,
  ResourcesMethod,
  ToolsMethod,
  type CallToolResult,
  type ClientCapabilities,
  type GetPromptResult,
  type Implementation,
  type InitializeResult,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type LoggingLevel,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from '../protocol/index.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type ClientState, type ClientTransportOptions, type SessionOutcome } from '../transport/index.js';
import { plainWsChannel, transportChannel, type ClientChannel } from './client-channel.js';
import { describeErrors } from './describe-errors.js';
import { ConnectionClosedError, McpError } from './mcp-error.js';
import { RequestCorrelator, requestKey } from './request-correlator.js';

export interface SimpleMCPClientOptions {
  /** Server host. Default `'localhost'`. Ignored when `url` is given. */
  host?: string;
  /** Server port. Default 3001. Ignored when `url` is given. */
  port?: number;
  /** The full `ws://` / `wss://` URL, instead of host and port. */
  url?: string;
  /** `true` (default): over `WebSocketClientTransport`, which reconnects; `false`: one plain ws socket (legacy path). */
  useTransport?: boolean;
  /**
   * Ask the server for a resumable session (transport path only). After a short drop the MCP
   * session carries on: calls in flight get their replies, nothing is re-initialized. Servers that
   * offer no sessions are served as with `false`. Default `true`.
   */
  resume?: boolean;
  /** Sent in `initialize`. Default `{ name: 'nexus-mcp-client', version: '0.1.0' }`. */
  clientInfo?: Implementation;
  /** Sent in `initialize`. Default `{}`. */
  capabilities?: ClientCapabilities;
  /** The revision asked for in `initialize`. Default `'2025-11-25'`. */
  protocolVersion?: string;
  /** Default timeout of every request, ms. Default 60000. */
  requestTimeoutMs?: number;
  /** Options of the underlying `WebSocketClientTransport` (reconnect policy, heartbeat, queue, headers, …). */
  transport?: Omit<ClientTransportOptions, 'protocols' | 'messageHandler' | 'scheduler' | 'resume'>;
  /** Time source for timeouts; tests pass a virtual one. */
  scheduler?: SchedulerLike;
}

export interface RequestOptions {
  /** Aborting sends `notifications/cancelled` and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides `requestTimeoutMs`; on timeout the server is sent `notifications/cancelled`. */
  timeoutMs?: number;
}

export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

export interface CallToolOptions extends RequestOptions {
  /** Asks for progress (a `_meta.progressToken`) and receives each `notifications/progress`. */
  onProgress?: (progress: Progress) => void;
}

/**
 * `idle`: not connected yet. `connecting`: opening the socket. `initializing`: handshake in progress.
 * `ready`: requests flow. `reconnecting`: the connection dropped; the transport is retrying (or, for
 * a resumable session, has reconnected and awaits the server's word on whether the session resumed).
 * `closed`: disconnected, or the transport gave up.
 */
export type McpClientState = 'idle' | 'connecting' | 'initializing' | 'ready' | 'reconnecting' | 'closed';

const MAX_PAGES = 1000;

/**
 * A small MCP client over WebSocket. `connect()` performs the handshake; every call is a JSON-RPC
 * request correlated by id, with a timeout, cancellable by an `AbortSignal`. After a dropped
 * connection it reconnects through the transport. When the server resumes the session, calls in
 * flight get their replies from the replay and the session goes on as it was; otherwise (a fresh
 * or expired session, or a server without sessions) calls that were in flight fail with
 * `ConnectionClosedError` (they may or may not have run) and the client re-initializes by itself.
 * New calls wait for the session to be ready again.
 *
 * @example
 * const client = new SimpleMCPClient({ host: 'localhost', port: 3001 });
 * await client.connect();
 * const tools = await client.listTools();
 * const result = await client.callTool('add', { a: 1, b: 2 });
 * await client.disconnect();
 * @see docs/mcp.md
 */
export class SimpleMCPClient {
  readonly url: string;
  private readonly options: Required<Pick<SimpleMCPClientOptions, 'clientInfo' | 'capabilities' | 'protocolVersion' | 'requestTimeoutMs'>> & SimpleMCPClientOptions;
  private readonly scheduler: SchedulerLike;
  private readonly correlator: RequestCorrelator;
  private readonly stateSubject = new BehaviorSubject<McpClientState>('idle');
  private readonly notificationsSubject = new Subject<JsonRpcNotification>();
  private readonly errorsSubject = new Subject<Error>();
  private readonly progressHandlers = new Map<string, (progress: Progress) => void>();
  private channel: ClientChannel | undefined;
  private wiring: Subscription | undefined;
  private connecting: Promise<InitializeResult> | undefined;
  private disconnecting: Promise<void> | undefined;
  private initialized: InitializeResult | undefined;
  private everReady = false;
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
  /** Every notification from the server (progress, list_changed, resources/updated, log messages, …). Hot. */
  readonly notifications$: Observable<JsonRpcNotification> = this.notificationsSubject.asObservable();
  /** Problems that are nobody's call: a failed re-initialization, a malformed message from the server. */
  readonly errors$: Observable<Error> = this.errorsSubject.asObservable();

  constructor(options: SimpleMCPClientOptions = {}) {
    this.url = options.url ?? `ws://${options.host ?? 'localhost'}:${options.port ?? 3001}`;
    this.options = {
      clientInfo: { name: 'nexus-mcp-client', version: '0.1.0' },
      capabilities: {},
      protocolVersion: LATEST_LEGACY_PROTOCOL_VERSION,
      requestTimeoutMs: 60_000,
      ...options,
    };
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.correlator = new RequestCorrelator(this.scheduler);
  }

  get state(): McpClientState {
    return this.stateSubject.value;
  }

  /** What the server said in `initialize` (the latest handshake). */
  get serverInfo(): Implementation | undefined {
    return this.initialized?.serverInfo;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.initialized?.capabilities;
  }

  get instructions(): string | undefined {
    return this.initialized?.instructions;
  }

  /** The negotiated revision. */
  get protocolVersion(): string | undefined {
    return this.initialized?.protocolVersion;
  }

  /** Notifications with this method, as a stream of their params. */
  notificationsOf(method: string): Observable<JsonRpcNotification> {
    return this.notifications$.pipe(filter((notification) => notification.method === method));
  }

  /**
   * Connects and performs the handshake (`initialize`, then `notifications/initialized`). Resolves
   * with the server's initialize result. Idempotent.
   */
  connect(): Promise<InitializeResult> {
    if (this.disconnecting) return Promise.reject(new ConnectionClosedError('This client was disconnected; create a new one'));
    this.connecting ??= this.open().catch(async (error: unknown) => {
      await this.disconnect();
      throw error;
    });
    return this.connecting;
  }

  /** Closes the connection; calls in flight fail with `ConnectionClosedError`. Idempotent. */
  disconnect(): Promise<void> {
    this.disconnecting ??= (async () => {
      this.stateSubject.next('closed');
      this.correlator.failAll(new ConnectionClosedError('The client disconnected'));
      this.wiring?.unsubscribe();
      await this.channel?.stop().catch(() => undefined);
      this.progressHandlers.clear();
      this.stateSubject.complete();
      this.notificationsSubject.complete();
      this.errorsSubject.complete();
    })();
    return this.disconnecting;
  }

  /** Every tool, following `nextCursor` across pages. */
  async listTools(options: RequestOptions = {}): Promise<Tool[]> {
    return this.collectPages(ToolsMethod.list, (result) => decodeResult(ListToolsResultCodec, result, ToolsMethod.list).tools, options);
  }

  /**
   * Calls a tool. Resolves with its result, `isError` results included (read `result.isError`);
   * rejects with `McpError` for a protocol error (-32602 for an unknown tool).
   */
  async callTool(name: string, args: JsonObject = {}, options: CallToolOptions = {}): Promise<CallToolResult> {
    const { onProgress } = options;
    const result = await this.requestWhenReady(
      ToolsMethod.call,
      (id) => {
        if (!onProgress) return { name, arguments: args };
        this.progressHandlers.set(requestKey(id), onProgress);
        return { name, arguments: args, _meta: { progressToken: id } };
      },
      options,
      onProgress ? (id) => this.progressHandlers.delete(requestKey(id)) : undefined,
    );
    return decodeResult(CallToolResultCodec, result, ToolsMethod.call);
  }

  async listResources(options: RequestOptions = {}): Promise<Resource[]> {
    return this.collectPages(ResourcesMethod.list, (result) => decodeResult(ListResourcesResultCodec, result, ResourcesMethod.list).resources, options);
  }

  async listResourceTemplates(options: RequestOptions = {}): Promise<ResourceTemplate[]> {
    return this.collectPages(
      ResourcesMethod.templatesList,
      (result) => decodeResult(ListResourceTemplatesResultCodec, result, ResourcesMethod.templatesList).resourceTemplates,
      options,
    );
  }

  async readResource(uri: string, options: RequestOptions = {}): Promise<ReadResourceResult> {
    return decodeResult(ReadResourceResultCodec, await this.request(ResourcesMethod.read, () => ({ uri }), options), ResourcesMethod.read);
  }

  /** Asks for `notifications/resources/updated` about `uri` (watch `notifications$`). */
  async subscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    await this.request(ResourcesMethod.subscribe, () => ({ uri }), options);
  }

  async unsubscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    await this.request(ResourcesMethod.unsubscribe, () => ({ uri }), options);
  }

  async listPrompts(options: RequestOptions = {}): Promise<Prompt[]> {
    return this.collectPages(PromptsMethod.list, (result) => decodeResult(ListPromptsResultCodec, result, PromptsMethod.list).prompts, options);
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options: RequestOptions = {}): Promise<GetPromptResult> {
    return decodeResult(GetPromptResultCodec, await this.request(PromptsMethod.get, () => ({ name, arguments: args }), options), PromptsMethod.get);
  }

  /** Sets the least severe level of `notifications/message` the server sends. */
  async setLogLevel(level: LoggingLevel, options: RequestOptions = {}): Promise<void> {
    await this.request(LifecycleMethod.setLevel, () => ({ level }), options);
  }

  /** Pings the server; resolves with the round trip in ms. */
  async ping(options: RequestOptions = {}): Promise<number> {
    const started = this.scheduler.now();
    await this.request(LifecycleMethod.ping, () => undefined, options);
    return this.scheduler.now() - started;
  }

  /**
   * Any request, once the session is ready (waiting for a reconnection within the timeout).
   * Resolves with the raw `result`; rejects with `McpError` for an error reply.
   */
  async request(method: string, params?: JsonObject | ((id: number) => JsonObject | undefined), options: RequestOptions = {}): Promise<JsonObject> {
    return this.requestWhenReady(method, typeof params === 'function' ? params : () => params, options);
  }

  private async requestWhenReady(
    method: string,
    params: (id: number) => JsonObject | undefined,
    options: RequestOptions,
    onSettled?: (id: number) => void,
  ): Promise<JsonObject> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const started = this.scheduler.now();
    await this.whenReady(timeoutMs, method);
    const remaining = Math.max(1, timeoutMs - (this.scheduler.now() - started));
    return this.send(method, params, { ...options, timeoutMs: remaining }, onSettled);
  }

  private async open(): Promise<InitializeResult> {
    this.stateSubject.next('connecting');
    const channel = this.options.useTransport === false
      ? plainWsChannel(this.url, this.options.transport?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE)
      : transportChannel(this.url, { ...this.options.transport, resume: this.options.resume ?? true, scheduler: this.scheduler });
    this.channel = channel;
    // The session outcome of an open arrives before any message of that connection.
    this.wiring = new Subscription();
    this.wiring.add(channel.session$.subscribe((outcome) => this.onSessionOutcome(outcome)));
    this.wiring.add(channel.messages$.subscribe((message) => this.onMessage(message)));
    this.wiring.add(channel.state$.subscribe({ next: (state) => this.onChannelState(state), complete: () => this.onChannelState('closed') }));
    try {
      await channel.start();
    } catch (error) {
      throw new ConnectionClosedError(`Could not connect to ${this.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return this.handshake();
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
    const { protocolVersion, capabilities, clientInfo } = this.options;
    const raw = await this.send(LifecycleMethod.initialize, () => ({ protocolVersion, capabilities, clientInfo }), {
      timeoutMs: this.options.requestTimeoutMs,
    });
    const result = decodeResult(InitializeResultCodec, raw, LifecycleMethod.initialize);
    if (!isLegacyProtocolVersion(result.protocolVersion)) {
      throw new McpError(JsonRpcErrorCode.InvalidRequest, `The server answered protocol version ${result.protocolVersion}, which this client does not speak`, {
        supported: [LATEST_LEGACY_PROTOCOL_VERSION],
        requested: result.protocolVersion,
      });
    }
    await this.requireChannel().send(jsonRpcNotification(LifecycleMethod.initialized));
    this.initialized = result;
    this.everReady = true;
    if (this.state === 'initializing') this.stateSubject.next('ready');
    return result;
  }

  private onChannelState(state: ClientState): void {
    this.channelState = state;
    if (this.disconnecting) return;
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
    if (!this.awaitingSession || this.disconnecting) return; // a first open: nothing to carry over
    this.awaitingSession = false;
    if (outcome.resumed) {
      // Calls in flight stay pending: their replies are in the replay that follows.
      this.stateSubject.next(this.handshakes > 0 ? 'initializing' : 'ready');
      return;
    }
    // `expired` says the server could not resume; a fresh session without it ends the old one all the same.
    this.startAfresh('The session expired while the connection was down, and with it the reply; the request may or may not have run');
  }

  /**
   * After reopening a session-backed connection: asks for a reply, because a server still offering
   * sessions sends its session outcome before anything else. A message arriving while the outcome
   * is still awaited means this server offers none (see `onMessage`).
   */
  private probeSession(): void {
    this.probes += 1;
    this.channel?.send(jsonRpcRequest(`nexus-session-probe-${this.probes}`, LifecycleMethod.ping)).catch(() => undefined);
  }

  /** The old session is gone: what waited for it fails, and the client initializes a new one. */
  private startAfresh(why: string): void {
    this.correlator.failAll(new ConnectionClosedError(why));
    // Before the first handshake finished, failing its initialize is what rejects connect().
    if (this.everReady) this.reinitialize();
  }

  private reinitialize(): void {
    this.handshake().catch((error: unknown) => {
      if (error instanceof ConnectionClosedError) return; // dropped again: the next open retries
      this.errorsSubject.next(error instanceof Error ? error : new Error(String(error)));
      void this.disconnect();
    });
  }

  private onMessage(input: JsonObject): void {
    if (this.awaitingSession && this.channelState === 'open') {
      // No session outcome came first: the server we reached offers no sessions.
      this.awaitingSession = false;
      this.sessionBacked = false;
      this.startAfresh('The connection dropped and the server did not resume the session; the request may or may not have run');
    }
    const classified = classifyMessage(input);
    if (E.isLeft(classified)) {
      this.errorsSubject.next(new McpError(JsonRpcErrorCode.InvalidRequest, `The server sent something that is not JSON-RPC: ${classified.left.reason}`));
      return;
    }
    const { kind, message } = classified.right;
    if (kind === 'response') {
      this.correlator.accept(message);
    } else if (kind === 'notification') {
      this.onNotification(message);
    } else {
      this.onServerRequest(message);
    }
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === LifecycleMethod.progress) {
      const params = ProgressParamsCodec.decode(notification.params);
      if (E.isRight(params)) {
        const { progressToken, progress, total, message } = params.right;
        const handler = this.progressHandlers.get(requestKey(progressToken));
        const update: Progress = { progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) };
        try {
          handler?.(update);
        } catch (error) {
          this.errorsSubject.next(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
    this.notificationsSubject.next(notification);
  }

  /** The server may ping us; we support nothing else a server can ask (sampling, roots, elicitation). */
  private onServerRequest(request: JsonRpcRequest): void {
    const reply =
      request.method === LifecycleMethod.ping
        ? jsonRpcResult(request.id, {})
        : jsonRpcError(request.id, JsonRpcErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    this.channel?.send(reply).catch(() => undefined);
  }

  private async whenReady(timeoutMs: number, method: string): Promise<void> {
    if (this.state === 'ready') return;
    if (this.state === 'idle') throw new ConnectionClosedError(`Not connected: call connect() before ${method}`);
    if (this.state === 'closed') throw new ConnectionClosedError(`The client is disconnected; cannot send ${method}`);
    const state = await firstValueFrom(
      this.state$.pipe(
        filter((candidate) => candidate === 'ready' || candidate === 'closed'),
        timeout({ first: timeoutMs, scheduler: this.scheduler, with: () => Promise.reject(new ConnectionClosedError(`Not reconnected within ${timeoutMs} ms; ${method} was not sent`)) }),
      ),
      { defaultValue: 'closed' as const },
    );
    if (state === 'closed') throw new ConnectionClosedError(`The client is disconnected; cannot send ${method}`);
  }

  private send(
    method: string,
    params: (id: number) => JsonObject | undefined,
    options: RequestOptions & { timeoutMs: number },
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
      ...(options.signal ? { signal: options.signal } : {}),
      send: (id, name, body) =>
        this.requireChannel()
          .send(jsonRpcRequest(id, name, body))
          .catch((error: unknown) => {
            throw new ConnectionClosedError(`${name} could not be sent: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
          }),
      onAbandoned: (id, reason) => {
        // Only to the session that saw the request: while a resume is pending the transport queues
        // it for the next connection (a fresh session ignores an id it never saw).
        if (this.state === 'ready' || this.awaitingSession) {
          this.channel?.send(jsonRpcNotification(LifecycleMethod.cancelled, { requestId: id, reason })).catch(() => undefined);
        }
      },
    });
    if (!onSettled) return pending;
    return pending.finally(() => {
      if (sentId !== undefined) onSettled(sentId);
    });
  }

  private requireChannel(): ClientChannel {
    if (this.disconnecting) throw new ConnectionClosedError('The client disconnected');
    if (!this.channel) throw new ConnectionClosedError('Not connected');
    return this.channel;
  }

  private async collectPages<T>(method: string, itemsOf: (result: JsonObject) => T[], options: RequestOptions): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.request(method, () => (cursor === undefined ? undefined : { cursor }), options);
      items.push(...itemsOf(result));
      const next = result['nextCursor'];
      if (typeof next !== 'string') return items;
      if (seen.has(next)) throw new McpError(JsonRpcErrorCode.InternalError, `${method}: the server repeated cursor ${JSON.stringify(next)}`);
      seen.add(next);
      cursor = next;
    }
    throw new McpError(JsonRpcErrorCode.InternalError, `${method}: more than ${MAX_PAGES} pages`);
  }
}

/** Checks a result against its codec: a malformed one is the server's fault, reported as -32603. */
function decodeResult<A>(codec: t.Decoder<unknown, A>, result: JsonObject, method: string): A {
  const decoded = codec.decode(result);
  if (E.isLeft(decoded)) {
    throw new McpError(JsonRpcErrorCode.InternalError, `Malformed ${method} result from the server: ${describeErrors(decoded.left, 'result')}`);
  }
  return decoded.right;
}
