import { asyncScheduler, filter, Subject, type Observable, type SchedulerLike } from 'rxjs';
import {
  CallToolResultCodec,
  CompleteResultCodec,
  CompletionMethod,
  GetPromptResultCodec,
  LifecycleMethod,
  ListPromptsResultCodec,
  ListResourcesResultCodec,
  ListResourceTemplatesResultCodec,
  ListToolsResultCodec,
  PromptsMethod,
  ReadResourceResultCodec,
  ResourcesMethod,
  ToolsMethod,
  type CallToolResult,
  type CompleteResult,
  type GetPromptResult,
  type Implementation,
  type InitializeResult,
  type JsonObject,
  type JsonRpcNotification,
  type LoggingLevel,
  type Prompt,
  type PromptReference,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type ResourceTemplateReference,
  type ServerCapabilities,
  type Tool,
} from '../../protocol/index.js';
import { ServerRequestHandlers, type ElicitationHandler, type ElicitationOptions, type RootsHandler, type SamplingHandler } from './client-handlers.js';
import { ClientInbound } from './client-inbound.js';
import type { ChannelOpener } from './channels/channel-for-url.js';
import { ClientLifecycle } from './client-lifecycle.js';
import { untilReady } from './until-ready.js';
import { collectPages, decodeResult } from './client-results.js';
import { ConnectionClosedError } from '../mcp-error.js';
import {
  endpointOf,
  withClientDefaults,
  type CallToolOptions,
  type McpClientState,
  type RequestOptions,
  type ResolvedClientOptions,
  type SimpleMCPClientOptions,
} from './simple-client-options.js';

/**
 * `SimpleMCPClient` without a platform: everything it does, given how to open its connection. The
 * Node client (stdio, HTTP, WebSocket on ws) and the browser client (HTTP, WebSocket on the native
 * one) are this class with their own opener, so neither platform's imports reach the other's bundle.
 * @internal
 */
export class McpClientCore {
  readonly url: string;
  private readonly options: ResolvedClientOptions;
  private readonly scheduler: SchedulerLike;
  private readonly notificationsSubject = new Subject<JsonRpcNotification>();
  private readonly errorsSubject = new Subject<Error>();
  /** The connection, the handshake and what happens after a drop; it owns the state and the calls in flight. */
  private readonly lifecycle: ClientLifecycle;
  /** Routes what the server sends; it holds the progress handlers of calls in flight. */
  private readonly inbound: ClientInbound;
  /** The user's answers to the server's requests (sampling, elicitation, roots). */
  private readonly handlers: ServerRequestHandlers;
  private connecting: Promise<InitializeResult> | undefined;
  private disconnecting: Promise<void> | undefined;

  /** The client's state; replays the current one. */
  readonly state$: Observable<McpClientState>;
  /** Every notification from the server (progress, list_changed, resources/updated, log messages, …). Hot. */
  readonly notifications$: Observable<JsonRpcNotification> = this.notificationsSubject.asObservable();
  /** Problems that are nobody's call: a failed re-initialization, a malformed message from the server. */
  readonly errors$: Observable<Error> = this.errorsSubject.asObservable();

  constructor(options: SimpleMCPClientOptions, openChannel: ChannelOpener) {
    this.url = endpointOf(options);
    this.options = withClientDefaults(options);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.lifecycle = new ClientLifecycle(this.url, this.options, this.scheduler, {
      onMessage: (message) => this.inbound.route(message),
      onFatal: (error) => {
        this.errorsSubject.next(error);
        void this.disconnect();
      },
      reportError: (error) => this.errorsSubject.next(error),
      orphaned: (requestId, reason) => this.handlers.cancel(requestId, reason),
      capabilities: () => ({ ...this.options.capabilities, ...this.handlers.capabilities }),
    }, openChannel);
    this.handlers = new ServerRequestHandlers(
      (message) => this.lifecycle.sendBestEffort(message),
      (error) => this.errorsSubject.next(error),
      () => this.state !== 'idle' || this.connecting !== undefined,
    );
    this.inbound = new ClientInbound({
      acceptReply: (response) => this.lifecycle.acceptReply(response),
      notify: (notification) => this.notificationsSubject.next(notification),
      reportError: (error) => this.errorsSubject.next(error),
      reply: (message) => this.lifecycle.sendBestEffort(message),
      answer: (request) => this.handlers.answer(request),
      cancelServerRequest: (requestId, reason) => this.handlers.cancel(requestId, reason),
    });
    this.state$ = this.lifecycle.state$;
  }

  /** The client's state now (`state$` follows its changes). */
  get state(): McpClientState {
    return this.lifecycle.state;
  }

  /** What the server said in `initialize` (the latest handshake). */
  get serverInfo(): Implementation | undefined {
    return this.lifecycle.initializeResult?.serverInfo;
  }

  /** What the server offers, from the latest `initialize` result. */
  get serverCapabilities(): ServerCapabilities | undefined {
    return this.lifecycle.initializeResult?.capabilities;
  }

  /** The server's instructions for the model, if it sent any in `initialize`. */
  get instructions(): string | undefined {
    return this.lifecycle.initializeResult?.instructions;
  }

  /** The negotiated revision. */
  get protocolVersion(): string | undefined {
    return this.lifecycle.initializeResult?.protocolVersion;
  }

  /** The notifications with this method (a filter of `notifications$`). */
  notificationsOf(method: string): Observable<JsonRpcNotification> {
    return this.notifications$.pipe(filter((notification) => notification.method === method));
  }

  /**
   * Connects and performs the handshake (`initialize`, then `notifications/initialized`). Resolves
   * with the server's initialize result. Idempotent.
   */
  connect(): Promise<InitializeResult> {
    if (this.disconnecting) return Promise.reject(new ConnectionClosedError('This client was disconnected; create a new one'));
    this.connecting ??= this.lifecycle.open().catch(async (error: unknown) => {
      await this.disconnect();
      throw error;
    });
    return this.connecting;
  }

  /** Closes the connection; calls in flight fail with `ConnectionClosedError`. Idempotent. */
  disconnect(): Promise<void> {
    this.disconnecting ??= (async () => {
      await this.lifecycle.stop();
      this.inbound.clearProgress();
      this.handlers.abortAll(new ConnectionClosedError('The client disconnected'));
      this.lifecycle.completeState();
      this.notificationsSubject.complete();
      this.errorsSubject.complete();
    })();
    return this.disconnecting;
  }

  /**
   * Answers the server's `sampling/createMessage` with `handler` and declares the `sampling`
   * capability. Register handlers before `connect()`: capabilities are declared in `initialize`.
   */
  onSampling(handler: SamplingHandler): this {
    this.handlers.onSampling(handler);
    return this;
  }

  /** Answers `elicitation/create` (forms; URL mode too with `{ url: true }`) and declares `elicitation`. Before `connect()`. */
  onElicitation(handler: ElicitationHandler, options: ElicitationOptions = {}): this {
    this.handlers.onElicitation(handler, options);
    return this;
  }

  /** Answers `roots/list` with the roots `handler` gives, and declares `roots`. Before `connect()`. */
  onListRoots(handler: RootsHandler): this {
    this.handlers.onListRoots(handler);
    return this;
  }

  /**
   * Suggestions for a prompt argument or a resource template variable (`completion/complete`):
   * at most 100 `values`, with `total` and `hasMore` when the server says how many there are.
   */
  async complete(
    ref: PromptReference | ResourceTemplateReference,
    argument: { readonly name: string; readonly value: string },
    options: RequestOptions & { readonly context?: Readonly<Record<string, string>> } = {},
  ): Promise<CompleteResult['completion']> {
    const { context, ...requestOptions } = options;
    const params: JsonObject = context === undefined ? { ref, argument } : { ref, argument, context: { arguments: context } };
    return decodeResult(CompleteResultCodec, await this.request(CompletionMethod.complete, params, requestOptions), CompletionMethod.complete).completion;
  }

  /** Every tool, following `nextCursor` across pages. */
  async listTools(options: RequestOptions = {}): Promise<Tool[]> {
    return this.listAll(ToolsMethod.list, (result) => decodeResult(ListToolsResultCodec, result, ToolsMethod.list).tools, options);
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
        this.inbound.watchProgress(id, onProgress);
        return { name, arguments: args, _meta: { progressToken: id } };
      },
      options,
      onProgress ? (id) => this.inbound.unwatchProgress(id) : undefined,
    );
    return decodeResult(CallToolResultCodec, result, ToolsMethod.call);
  }

  /** Every resource, following `nextCursor` across pages. */
  async listResources(options: RequestOptions = {}): Promise<Resource[]> {
    return this.listAll(ResourcesMethod.list, (result) => decodeResult(ListResourcesResultCodec, result, ResourcesMethod.list).resources, options);
  }

  /** Every resource template, following `nextCursor` across pages. */
  async listResourceTemplates(options: RequestOptions = {}): Promise<ResourceTemplate[]> {
    const templatesOf = (result: JsonObject): ResourceTemplate[] => decodeResult(ListResourceTemplatesResultCodec, result, ResourcesMethod.templatesList).resourceTemplates;
    return this.listAll(ResourcesMethod.templatesList, templatesOf, options);
  }

  /** Reads a resource; rejects with `McpError` when nothing is at `uri` (-32002; -32602 in the 2026-07-28 revision). */
  async readResource(uri: string, options: RequestOptions = {}): Promise<ReadResourceResult> {
    return decodeResult(ReadResourceResultCodec, await this.request(ResourcesMethod.read, () => ({ uri }), options), ResourcesMethod.read);
  }

  /** Asks for `notifications/resources/updated` about `uri` (watch `notifications$`). */
  async subscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    await this.request(ResourcesMethod.subscribe, () => ({ uri }), options);
  }

  /** Stops the `notifications/resources/updated` about `uri`. */
  async unsubscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    await this.request(ResourcesMethod.unsubscribe, () => ({ uri }), options);
  }

  /** Every prompt, following `nextCursor` across pages. */
  async listPrompts(options: RequestOptions = {}): Promise<Prompt[]> {
    return this.listAll(PromptsMethod.list, (result) => decodeResult(ListPromptsResultCodec, result, PromptsMethod.list).prompts, options);
  }

  /** Renders a prompt with string arguments; rejects with `McpError` -32602 for an unknown prompt or invalid arguments. */
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
    await untilReady(this.lifecycle.state$, this.state, { timeoutMs, method, scheduler: this.scheduler });
    // The wait for the session counts against the timeout; an error still names the one the caller set.
    const remainingMs = Math.max(1, timeoutMs - (this.scheduler.now() - started));
    return this.lifecycle.send(method, params, { ...options, timeoutMs, remainingMs }, onSettled);
  }

  /** Every item of a paged list method, each page asked for with the caller's options. */
  private listAll<T>(method: string, itemsOf: (result: JsonObject) => T[], options: RequestOptions): Promise<T[]> {
    return collectPages(method, itemsOf, (params) => this.request(method, params, options));
  }
}
