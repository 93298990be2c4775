import type { AddressInfo } from 'node:net';
import type * as t from 'io-ts';
import { asyncScheduler, type Observable } from 'rxjs';
import { StdioEdge, WebSocketServerTransport, type CloseInfo, type StdioStreams } from '../../transport/index.js';
import type { HandlerContext } from './requests/handler-context.js';
import { DEFAULT_SESSION_TTL_MS, nonNegative, PLAIN_PATH, positive, streamableHttpOf, transportOptionsOf, type MCPServerOptions } from './mcp-server-options.js';
import { mcpTransportOptions } from './framing/json-rpc-error-reply.js';
import type { ToolCallEvent } from './methods/method-host.js';
import { DEFAULT_PAGE_SIZE } from '../registries/paging.js';
import { DEFAULT_NOTIFICATION_RECEIPT_MS } from './requests/notification-receipt.js';
import { DEFAULT_REQUEST_STATE_TTL_MS } from './requests/request-state.js';
import type { PromptDefinition, PromptHandler, RegisteredPrompt } from '../registries/prompt-registry.js';
import type {
  RegisteredResource,
  RegisteredResourceTemplate,
  ResourceDefinition,
  ResourceReader,
  ResourceTemplateDefinition,
  ResourceTemplateReader,
} from '../registries/resource-registry.js';
import { ClusterNotifications } from './changes/cluster-notifications.js';
import { mcpPanel, withMcpPanel } from '../dashboard/mcp-panel.js';
import { ServerCore } from './server-core.js';
import type { ServerErrorEvent, SessionEvent } from './server-events.js';
import { logMcpServer } from './mcp-log.js';
import type { RegisteredTool, StructuredToolDefinition, StructuredToolHandler, ToolDefinition, ToolHandler } from '../registries/tool-registry.js';
import { registerWorkflow, type Workflow, type WorkflowOptions } from '../registries/workflow.js';


/**
 * An MCP server over WebSocket: JSON-RPC 2.0, one object per text frame, subprotocol `mcp`, the
 * 2025-11-25 lifecycle (down to 2024-11-05) and the stateless 2026-07-28 revision on the same
 * connections. Tools take io-ts codecs: one declaration decodes the arguments and publishes their
 * JSON Schema.
 *
 * @example
 * const server = new MCPServer({ host: '127.0.0.1', port: 3001 });
 * server.registerTool('add', { description: 'Add two numbers', input: t.type({ a: t.number, b: t.number }) },
 *   ({ a, b }) => String(a + b));
 * await server.start();
 * @see docs/mcp.md
 */
export class MCPServer {
  private readonly core: ServerCore;
  /** `options.drainMs`: what `stop()` gives in-flight requests when it is not told. */
  private readonly drainMs: number | undefined;
  private readonly maxMessageSize: number | undefined;
  private stopping: Promise<void> | undefined;
  /** With a `cluster`: list changes and resource updates reach the sessions of every node. */
  private readonly clusterNotifications: ClusterNotifications | undefined;

  /** The transport serving this server: its streams (`clientCount$`, `connections$`, …) are the server's. */
  readonly transport: WebSocketServerTransport;
  /** Sessions opening (after `initialize`, or at a connection's first 2026-07-28 request) and closing. */
  readonly sessions$: Observable<SessionEvent>;
  /** Every finished `tools/call`: name, duration, outcome. */
  readonly toolCalls$: Observable<ToolCallEvent>;
  /** Failures inside the server (handlers that threw, malformed handler results), with details clients never see. */
  readonly errors$: Observable<ServerErrorEvent>;

  constructor(options: MCPServerOptions = {}) {
    const scheduler = options.scheduler ?? asyncScheduler;
    this.drainMs = options.drainMs === undefined ? undefined : nonNegative('drainMs', options.drainMs);
    this.maxMessageSize = options.maxMessageSize;
    const serverInfo = { name: options.name ?? 'nexus-mcp', version: options.version ?? '0.1.0', ...(options.title === undefined ? {} : { title: options.title }) };
    this.core = new ServerCore({
      serverInfo,
      instructions: options.instructions,
      pageSize: positive('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE),
      cache: { ttlMs: options.cache?.ttlMs ?? 0, scope: options.cache?.scope ?? 'private' },
      notificationReceiptMs:
        options.notificationReceiptMs === false ? undefined : nonNegative('notificationReceiptMs', options.notificationReceiptMs ?? DEFAULT_NOTIFICATION_RECEIPT_MS),
      clientRequestTimeoutMs: positive('clientRequestTimeoutMs', options.clientRequestTimeoutMs ?? DEFAULT_CLIENT_REQUEST_TIMEOUT_MS),
      requestState: { secret: options.requestState?.secret, ttlMs: positive('requestState.ttlMs', options.requestState?.ttlMs ?? DEFAULT_REQUEST_STATE_TTL_MS) },
      scheduler,
      sessionStore: options.sessions?.store && { store: options.sessions.store, ttlMs: positive('sessions.ttlMs', options.sessions.ttlMs ?? DEFAULT_SESSION_TTL_MS) },
      // A WebSocket session can only move to another node with shared resumption: only then is it worth storing.
      connectionSessions: resumesAcrossNodes(options) ? { nodeId: () => this.transport.clusterNode?.nodeId } : undefined,
      wrapToolCall: options.wrapToolCall,
    });
    this.sessions$ = this.core.sessions$;
    this.toolCalls$ = this.core.toolCalls$;
    this.errors$ = this.core.errors$;
    // MCP is the handler stage of the transport's pipeline: the transport's policies (message rate,
    // in-flight cap, no new requests while stopping, the drain) are the server's.
    this.transport = new WebSocketServerTransport({
      ...(options.useTransport === false ? PLAIN_PATH : {}),
      ...transportOptionsOf(options),
      ...mcpTransportOptions,
      streamableHttp: streamableHttpOf(options.http, this.core.shared),
      dashboard: withMcpPanel(options.dashboard, () => mcpPanel(this.core, scheduler)),
      messageHandler: (message, client) => this.core.handle(client, message),
    });
    logMcpServer(this, this.transport.logger);
    const node = this.transport.clusterNode;
    this.clusterNotifications = node && new ClusterNotifications(node, this.core);
    this.core.shared?.bind(node);
    this.transport.resumptions$.subscribe(({ clientId }) => {
      const client = this.transport.getClient(clientId);
      if (client) this.core.resumed(client);
    });
  }

  /** The bound address once started (read the port here after asking for port 0). */
  get address(): AddressInfo | undefined {
    return this.transport.address;
  }

  /** `ws://host:port/path` (`wss://` with TLS) once started. */
  get url(): string | undefined {
    return this.transport.url;
  }

  /** `http://host:port/path` (`https://` with TLS) once started: the Streamable HTTP endpoint (unless `http: false`). */
  get httpUrl(): string | undefined {
    return this.transport.httpUrl;
  }

  /** Starts listening. Idempotent; rejects if the port cannot be bound. */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('This MCPServer was stopped; create a new one'));
    return this.transport.start().then(() => this.clusterNotifications?.startPublishing());
  }

  /**
   * Serves one client over stdio, MCP's standard local transport: JSON-RPC one message per line on
   * `input` (default `process.stdin`), replies on `output` (default `process.stdout`). Needs no
   * `start()`; with it, the same server answers the network too. Resolves with how the client left
   * (its input ended: 1000; a line over `maxMessageSize`: 1009; `stop()`: 1001), usually followed by
   * `stop()`. Nothing else may write to `output` — log to stderr.
   */
  async serveStdio(streams: Partial<StdioStreams> = {}): Promise<CloseInfo> {
    if (this.stopping) throw new Error('This MCPServer was stopped; create a new one');
    const edge = new StdioEdge({
      input: streams.input ?? process.stdin,
      output: streams.output ?? process.stdout,
      ...(this.maxMessageSize === undefined ? {} : { maxMessageSize: this.maxMessageSize }),
    });
    await this.transport.attach(edge);
    return edge.ended;
  }

  /**
   * Stops: refuses new requests and ends open listen streams with their final result; lets the
   * requests in flight finish and reply for up to `drainMs` (default `options.drainMs`, else 0);
   * then aborts the signals of the handlers still running (`ServerStoppingError`) and closes every
   * connection with 1001. Idempotent: the first call's options count.
   */
  stop(options: { readonly drainMs?: number } = {}): Promise<void> {
    if (!this.stopping) {
      const drainMs = options.drainMs ?? this.drainMs;
      if (drainMs !== undefined && !(drainMs >= 0)) return Promise.reject(new RangeError(`drainMs must be zero or more, got ${drainMs}`));
      this.core.beginStopping();
      this.clusterNotifications?.stop();
      this.stopping = this.transport.stop(drainMs === undefined ? {} : { drainMs }).then(() => this.core.complete());
    }
    return this.stopping;
  }

  /**
   * Adds a tool; clients that listen are told (`notifications/tools/list_changed`). Its arguments are
   * decoded with `input` (invalid → an `isError` result naming the path). With an `output` codec the
   * handler returns a value of it, sent as `structuredContent` once validated. Throw `ToolError` to
   * report a failure in your own words; any other throw becomes a generic `isError` result.
   */
  registerTool<I extends t.Any, O extends t.Any>(name: string, definition: StructuredToolDefinition<I, O>, handler: StructuredToolHandler<I, O>): RegisteredTool;
  registerTool<I extends t.Any>(name: string, definition: ToolDefinition<I>, handler: ToolHandler<I>): RegisteredTool;
  registerTool(name: string, definition: ToolDefinition<t.Any> & { output?: t.Any }, handler: (args: unknown, ctx: HandlerContext) => unknown): RegisteredTool {
    return this.core.tools.add(name, definition, handler);
  }

  /** Removes a tool; clients that listen are told (`notifications/tools/list_changed`). Returns whether it was there. */
  removeTool(name: string): boolean {
    return this.core.tools.remove(name);
  }

  /**
   * The seed's name for a tool that runs a workflow (an object with `run(args)`, or a function) on
   * the call's arguments; it is also readable as the resource `workflow://<name>`.
   */
  registerWorkflow(name: string, workflow: Workflow, options: WorkflowOptions = {}): RegisteredTool {
    return registerWorkflow(this.core, name, workflow, options);
  }

  /** Adds a resource at a fixed URI; `read` returns text or contents. */
  registerResource(uri: string, definition: ResourceDefinition, read: ResourceReader): RegisteredResource {
    return this.core.resources.add(uri, definition, read);
  }

  /**
   * Adds a resource template (`{var}` matches one path segment, `{+var}` anything); `complete`
   * suggests values for its variables (`completion/complete`).
   */
  registerResourceTemplate(uriTemplate: string, definition: ResourceTemplateDefinition, read: ResourceTemplateReader): RegisteredResourceTemplate {
    return this.core.resources.addTemplate(uriTemplate, definition, read);
  }

  /** Removes the resource at `uri`; listening clients are told (`notifications/resources/list_changed`). Returns whether it was there. */
  removeResource(uri: string): boolean {
    return this.core.resources.remove(uri);
  }

  /** Removes a resource template; listening clients are told (`notifications/resources/list_changed`). Returns whether it was there. */
  removeResourceTemplate(uriTemplate: string): boolean {
    return this.core.resources.removeTemplate(uriTemplate);
  }

  /** Sends `notifications/resources/updated` to every client subscribed to `uri` (with a `cluster`, on every node). */
  notifyResourceUpdated(uri: string): void {
    this.core.notifyResourceUpdated(uri);
  }

  /**
   * Adds a prompt; `args` is a codec of string fields, listed as the prompt's arguments, and
   * `complete` suggests values for them (`completion/complete`).
   */
  registerPrompt<A extends t.Any>(name: string, definition: PromptDefinition<A>, get: PromptHandler<A>): RegisteredPrompt {
    return this.core.prompts.add(name, definition, get);
  }

  /** Removes a prompt; listening clients are told (`notifications/prompts/list_changed`). Returns whether it was there. */
  removePrompt(name: string): boolean {
    return this.core.prompts.remove(name);
  }

  /** Ids of the connections the server holds a session for. */
  sessionIds(): string[] {
    return this.core.sessionIds();
  }

  /** Pings one client (servers may ping too); resolves with the round trip in ms. */
  ping(sessionId: string, timeoutMs = 10_000): Promise<number> {
    return this.core.ping(sessionId, timeoutMs);
  }
}

/** Whether a client's transport session may resume on another node (`resume.shared`, the transport on). */
function resumesAcrossNodes(options: MCPServerOptions): boolean {
  return options.useTransport !== false && options.resume !== false && options.resume?.shared !== undefined;
}

/** `clientRequestTimeoutMs` when not set: the official SDK's request timeout. */
const DEFAULT_CLIENT_REQUEST_TIMEOUT_MS = 60_000;
