import { Subject, type Observable } from 'rxjs';
import type { CompleteParams, CompleteResult, Implementation, JsonObject } from '../../protocol/index.js';
import type { CloseInfo } from '../../transport/index.js';
import { complete } from '../registries/completions.js';
import { deliverChange } from './changes/change-delivery.js';
import type { ServerChange } from './changes/change-notifications.js';
import { Dispatcher, type DispatchResult } from './methods/dispatcher.js';
import type { HandlerContext } from './requests/handler-context.js';
import { featureMethods } from './methods/feature-methods.js';
import { lifecycleMethods, lifecycleNotifications } from './methods/lifecycle-methods.js';
import { ConnectionClosedError } from '../mcp-error.js';
import type { MethodHost, ToolCallEvent } from './methods/method-host.js';
import { PromptRegistry } from '../registries/prompt-registry.js';
import { RequestCorrelator } from '../request-correlator.js';
import { RequestStateSeal } from './requests/request-state.js';
import { ResourceRegistry } from '../registries/resource-registry.js';
import { CAPABILITIES, type ServerCoreOptions } from './server-core-options.js';
import { sessionEvent, type ServerErrorEvent, type SessionEvent } from './server-events.js';
import { ConnectionSessions } from './sessions/connection-sessions.js';
import { pingSession } from './sessions/session-ping.js';
import { SharedSessions } from './sessions/shared-sessions.js';
import { McpSession, type McpPeer, type RequestEra } from './sessions/session.js';
import { ToolRegistry } from '../registries/tool-registry.js';

/**
 * The MCP server without its edges: sessions, the dispatcher, the registries and the operator
 * streams. Its `handle` is the handler stage of the transport's pipeline.
 */
export class ServerCore implements MethodHost {
  readonly tools: ToolRegistry;
  readonly resources: ResourceRegistry;
  readonly prompts: PromptRegistry;
  readonly capabilities = CAPABILITIES;
  /** With a session store: the HTTP side's directory, and where session state is kept. */
  readonly shared: SharedSessions | undefined;
  /** With a session store and cross-node resumption: the WebSocket sessions kept in it. */
  private readonly connections: ConnectionSessions | undefined;
  private readonly sessions = new Map<string, McpSession>();
  private readonly dispatcher: Dispatcher;
  private readonly sessionsSubject = new Subject<SessionEvent>();
  private readonly toolCallsSubject = new Subject<ToolCallEvent>();
  private readonly errorsSubject = new Subject<ServerErrorEvent>();
  private readonly stoppingSubject = new Subject<void>();
  private readonly changesSubject = new Subject<ServerChange>();
  private stopping = false;

  readonly sessions$: Observable<SessionEvent> = this.sessionsSubject.asObservable();
  readonly toolCalls$: Observable<ToolCallEvent> = this.toolCallsSubject.asObservable();
  readonly errors$: Observable<ServerErrorEvent> = this.errorsSubject.asObservable();
  readonly stopping$: Observable<void> = this.stoppingSubject.asObservable();
  /** Changes raised on this server (not those delivered for other nodes), for the cluster to publish. */
  readonly changes$: Observable<ServerChange> = this.changesSubject.asObservable();

  constructor(private readonly options: ServerCoreOptions) {
    const onFailure = (error: unknown, context: string): void => this.errorsSubject.next({ error, context });
    const { sessionStore, connectionSessions } = options;
    this.shared = sessionStore && new SharedSessions(sessionStore.store, sessionStore.ttlMs, this);
    this.connections =
      sessionStore && connectionSessions && new ConnectionSessions(sessionStore.store, sessionStore.ttlMs, { report: (...args) => this.report(...args), nodeId: connectionSessions.nodeId }, options.scheduler);
    this.tools = new ToolRegistry(onFailure);
    this.resources = new ResourceRegistry(onFailure, (uri) => this.notifyResourceUpdated(uri));
    this.prompts = new PromptRegistry(onFailure);
    this.dispatcher = new Dispatcher({
      methods: new Map([...lifecycleMethods(this), ...featureMethods(this, options.wrapToolCall)]),
      notifications: new Map(lifecycleNotifications(this)),
      serverInfo: options.serverInfo,
      cache: options.cache,
      isStopping: () => this.stopping,
      notificationReceipt: options.notificationReceiptMs === undefined ? undefined : { timeoutMs: options.notificationReceiptMs, scheduler: options.scheduler },
      clientRequestTimeoutMs: options.clientRequestTimeoutMs,
      inputRounds: { seal: new RequestStateSeal(options.requestState.secret), ttlMs: options.requestState.ttlMs, now: () => options.scheduler.now() },
      onInternalError: (error, session, method) => this.errorsSubject.next({ error, context: `method ${method}`, sessionId: session.id }),
      // A shared HTTP session's reply may reach another node than the one that asked: it is passed on.
      onUnmatchedReply: (session, reply) => this.shared?.forwardReply(session, reply),
      onAdmitted: (session, era) => {
        if (era.kind === 'modern') this.announce(session, era);
      },
    });
    this.tools.changed$.subscribe(() => this.raise({ kind: 'list_changed', list: 'tools' }));
    this.resources.changed$.subscribe(() => this.raise({ kind: 'list_changed', list: 'resources' }));
    this.prompts.changed$.subscribe(() => this.raise({ kind: 'list_changed', list: 'prompts' }));
  }

  get serverInfo(): Implementation {
    return this.options.serverInfo;
  }

  get instructions(): string | undefined {
    return this.options.instructions;
  }

  get pageSize(): number {
    return this.options.pageSize;
  }

  get cache(): ServerCoreOptions['cache'] {
    return this.options.cache;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  now(): number {
    return this.options.scheduler.now();
  }

  /**
   * The session of `peer`, created on first sight; it ends when the peer is gone for good. For a
   * transport client that is its `closed$` (the moment `disconnections$` fires), not a socket
   * close: a resumable client that drops keeps its id, and with it this session, its handlers and
   * its subscriptions, for the transport's resume window.
   */
  attach(peer: McpPeer): McpSession {
    const existing = this.sessions.get(peer.id);
    if (existing) return existing;
    const session = new McpSession(peer, new RequestCorrelator(this.options.scheduler));
    this.sessions.set(peer.id, session);
    peer.closed$.subscribe((info) => this.detach(session, info));
    return session;
  }

  /**
   * A transport session that `peer` resumed here: when it came from another node (no session here
   * yet), its MCP session is made now and its stored state loaded; what the client sends meanwhile
   * waits, in order, and so do the notifications it is due.
   */
  resumed(peer: McpPeer): void {
    if (!this.connections || this.sessions.has(peer.id)) return;
    const session = this.attach(peer);
    const loading = this.connections.adopt(session).then(() => {
      session.loading = undefined;
      if (session.handshake !== 'new') this.announce(session, { kind: 'legacy' });
    });
    session.loading = loading;
  }

  /** One decoded JSON object from `peer`, and what goes back to it. Never throws. */
  handle(peer: McpPeer, message: JsonObject): DispatchResult {
    const session = this.attach(peer);
    if (session.loading) return session.loading.then(() => this.dispatch(session, message));
    return this.dispatch(session, message);
  }

  private dispatch(session: McpSession, message: JsonObject): DispatchResult {
    try {
      return this.dispatcher.receive(session, message);
    } catch (error) {
      this.errorsSubject.next({ error, context: 'dispatch', sessionId: session.id });
      return undefined;
    }
  }

  announce(session: McpSession, era: RequestEra): void {
    if (session.openedAs !== undefined) return;
    session.openedAs = era.kind;
    if (era.kind === 'modern') {
      session.clientInfo ??= era.clientInfo;
      session.openedWithVersion = era.protocolVersion;
    } else {
      session.openedWithVersion = session.protocolVersion;
    }
    this.sessionsSubject.next(sessionEvent('opened', session));
  }

  /** Reports a failure on `errors$`. */
  report(error: unknown, context: string, sessionId?: string): void {
    this.errorsSubject.next(sessionId === undefined ? { error, context } : { error, context, sessionId });
  }

  recordToolCall(event: ToolCallEvent): void {
    this.toolCallsSubject.next(event);
  }

  completeArgument(params: CompleteParams, ctx: HandlerContext): Promise<CompleteResult> {
    const source = { promptCompleters: (name: string) => this.prompts.promptCompleters(name), templateCompleters: (uri: string) => this.resources.templateCompleters(uri) };
    return complete(params, source, ctx, (error, context) => this.errorsSubject.next({ error, context, sessionId: ctx.sessionId }));
  }

  /** The live sessions' ids. */
  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  getSession(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  /** Sends `notifications/resources/updated` to every session subscribed to `uri` (either era), on every node. */
  notifyResourceUpdated(uri: string): void {
    this.raise({ kind: 'resource_updated', uri });
  }

  /** A change raised here: delivered to this server's sessions, and told to the cluster (`changes$`). */
  raise(change: ServerChange): void {
    this.deliver(change);
    this.changesSubject.next(change);
  }

  /** Delivers a change to this server's sessions only (one raised here, or on another node). */
  deliver(change: ServerChange): void {
    deliverChange(this.sessions.values(), change, this.shared, (...args) => this.report(...args));
  }

  /** Stores a shared session's state after a change; `undefined` when there is nothing to wait for. */
  persist(session: McpSession): Promise<void> | undefined {
    if (session.sharedId !== undefined) return this.shared?.persist(session);
    // A stdio client cannot resume anywhere else.
    return session.peer.request.url === 'stdio:' ? undefined : this.connections?.persist(session);
  }

  /** Pings the client of one session; resolves with the round trip in ms, rejects on timeout or error. */
  async ping(sessionId: string, timeoutMs: number): Promise<number> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ConnectionClosedError(`No session ${sessionId}`);
    return pingSession(session, timeoutMs, () => this.now());
  }

  /**
   * Begins stopping: open listen streams end with their final result, and handlers still running
   * when the pipeline's drain is over see their signal aborted with a `ServerStoppingError`.
   */
  beginStopping(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stoppingSubject.next();
    this.stoppingSubject.complete();
  }

  /** Completes the operator streams once every connection is gone. */
  complete(): void {
    this.shared?.stop();
    this.connections?.stop();
    this.tools.complete();
    this.resources.complete();
    this.prompts.complete();
    this.sessionsSubject.complete();
    this.changesSubject.complete();
    this.toolCallsSubject.complete();
    this.errorsSubject.complete();
  }

  private detach(session: McpSession, info: CloseInfo): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    session.abortAll(new ConnectionClosedError('The client disconnected'));
    session.outgoing.failAll(new ConnectionClosedError('The client disconnected before answering'));
    session.listens.clear();
    this.connections?.ended(session, info);
    if (session.openedAs !== undefined) this.sessionsSubject.next({ ...sessionEvent('closed', session), close: info });
  }
}
