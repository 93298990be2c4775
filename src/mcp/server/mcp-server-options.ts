import type { CacheScope } from '../../protocol/index.js';
import type { HttpSessionDirectory, ServerTransportOptions, StreamableHttpOptions } from '../../transport/index.js';
import { mcpStreamableHttp } from './framing/mcp-http.js';
import type { McpSessionStore } from './sessions/session-store.js';
import type { ToolCallWrapper } from './methods/tool-call-wrapper.js';

/** Options of {@link MCPServer}: its own, plus the transport's (passed through when it builds one). */
export interface MCPServerOptions
  extends Omit<ServerTransportOptions, 'messageHandler' | 'errorReply' | 'binaryFrames' | 'protocols' | 'inboxSize' | 'streamableHttp' | 'requestKey'> {
  /** `serverInfo.name`. Default `'nexus-mcp'`. */
  name?: string;
  /** `serverInfo.version`. Default `'0.1.0'`. */
  version?: string;
  /** `serverInfo.title`, for display. */
  title?: string;
  /** Sent in the `initialize` (and `server/discover`) result: how to use this server, for the model. */
  instructions?: string;
  /**
   * `true` (default): the transport with everything it offers (heartbeat, session resumption,
   * message rate, in-flight cap, slow-consumer policy). `false`: the seed's plain path, the same
   * transport with those extras off (`heartbeat`, `resume`, `messageRate`, `maxInFlight`,
   * `slowConsumer` all `false`); options you pass still win.
   */
  useTransport?: boolean;
  /**
   * Serve MCP's Streamable HTTP (POST, GET, DELETE) on the same port and path as WebSocket, both
   * revisions: 2025-11-25 sessions (`Mcp-Session-Id`) and 2026-07-28 stateless requests. With `tls`,
   * over HTTP/2 as well. `{ sessionIdleMs }`: how long a 2025-11-25 session may go without a
   * request and without an open stream before it ends (default 15 minutes). Default true.
   */
  http?: boolean | { readonly sessionIdleMs?: number };
  /** Items per page of `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`. Default 100. */
  pageSize?: number;
  /** Cache hints on 2026-07-28 lists, reads and `server/discover`. Default `{ ttlMs: 0, scope: 'private' }`. */
  cache?: { ttlMs?: number; scope?: CacheScope };
  /**
   * How long the reply of a request that sent progress or log notifications waits, at most, for the
   * client to confirm (the pong to a ping sent behind them) that it has read them, ms. Clients that
   * handle notifications later than responses, the official SDK among them, would otherwise lose
   * progress that arrives together with the reply. Requests that sent none reply at once. `false`:
   * never wait. Default 2000.
   */
  notificationReceiptMs?: number | false;
  /**
   * Handshake era (up to 2025-11-25): how long a handler's request to the client (`ctx.sample`,
   * `ctx.elicit`, `ctx.listRoots`) waits for the answer when the call does not say, ms. On timeout
   * the client is sent `notifications/cancelled` and the call rejects with `RequestTimeoutError`.
   * Default 60000 (the official SDK's request timeout).
   */
  clientRequestTimeoutMs?: number;
  /**
   * Revision 2026-07-28: the `requestState` of `input_required` results, which the client echoes
   * when it retries. `secret` signs it (HMAC-SHA256; at least 16 bytes): default 32 random bytes
   * made at construction, so a retry is only understood by this process; give every server behind
   * one address the same secret. `ttlMs`: how long a state stays good. Default `{ ttlMs: 600000 }`.
   */
  requestState?: { secret?: string | Uint8Array; ttlMs?: number };
  /**
   * Where the state of Streamable HTTP sessions (2025-11-25) lives. Without a `store` (default), in
   * the server's memory: a session is served by the node that opened it (a balancer must be
   * sticky). With one every node shares (`RedisMcpSessionStore` from `nexus-mcp/redis`, or one
   * `InMemoryMcpSessionStore` for the servers of one process), any node serves any session: the
   * state is read before each request, put after each change, and deleted by a DELETE on any node.
   * `ttlMs`: a session unused that long (no request, no GET stream open) is gone, answered 404.
   * Default 15 minutes. WebSocket sessions are stored too when clients may resume on another node
   * (`resume.shared`): under `ws:<client id>`, so that a client resuming elsewhere keeps its
   * session (see docs/scaling.md). stdio sessions live on their connection and are not stored.
   */
  sessions?: { store?: McpSessionStore; ttlMs?: number };
  /**
   * Runs around every `tools/call`, from decoding the arguments to the result, with the tool's
   * handler inside it: tracing (`toolCallTracing()` from `nexus-mcp/tracing`), or your own
   * bookkeeping. See {@link ToolCallWrapper}. Default none: calls run as they are.
   */
  wrapToolCall?: ToolCallWrapper;
}

/** `useTransport: false`: the transport with its extras off, as the seed's plain path had none of them. */
export const PLAIN_PATH = {
  heartbeat: false,
  resume: false,
  messageRate: false,
  maxInFlight: false,
  slowConsumer: false,
} as const satisfies ServerTransportOptions;

export function transportOptionsOf(options: MCPServerOptions): ServerTransportOptions {
  const {
    name: _name,
    version: _version,
    title: _title,
    instructions: _instructions,
    useTransport: _useTransport,
    http: _http,
    pageSize: _pageSize,
    cache: _cache,
    notificationReceiptMs: _notificationReceiptMs,
    clientRequestTimeoutMs: _clientRequestTimeoutMs,
    requestState: _requestState,
    sessions: _sessions,
    wrapToolCall: _wrapToolCall,
    ...transportOptions
  } = options;
  return transportOptions;
}

export function streamableHttpOf(http: MCPServerOptions['http'], directory: HttpSessionDirectory | undefined): StreamableHttpOptions | false {
  if (http === false) return false;
  const withDirectory = directory ? { ...mcpStreamableHttp, directory } : mcpStreamableHttp;
  if (http === true || http === undefined || http.sessionIdleMs === undefined) return withDirectory;
  return { ...withDirectory, sessionIdleMs: positive('http.sessionIdleMs', http.sessionIdleMs) };
}

/** `sessions.ttlMs` when not set: as long as the HTTP side keeps an idle session by default. */
export const DEFAULT_SESSION_TTL_MS = 15 * 60_000;

export function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`${name} must be zero or more, got ${value}`);
  return value;
}

export function positive(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
