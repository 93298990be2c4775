import type { SchedulerLike } from 'rxjs';
import { LATEST_LEGACY_PROTOCOL_VERSION, type ClientCapabilities, type Implementation } from '../../protocol/index.js';
import type { ClientTransportOptions } from '../../transport/client/client-options.js';

/** The server program a `SimpleMCPClient` starts and speaks to over stdio. */
export interface StdioServerCommand {
  /** The executable, looked up on PATH (`node`, `npx`, `python`…). */
  readonly command: string;
  /** Its arguments. Default none. */
  readonly args?: readonly string[];
  /** Its working directory. Default: this process's. */
  readonly cwd?: string;
  /** Its environment. Default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What becomes of its stderr lines (its log): passed to this function. Default: written to this process's stderr. */
  readonly stderr?: (line: string) => void;
}

/** How a `SimpleMCPClient` connects and introduces itself; every field is optional. */
export interface SimpleMCPClientOptions {
  /** Server host. Default `'localhost'`. Ignored when `url` is given. */
  host?: string;
  /** Server port. Default 3001. Ignored when `url` is given. */
  port?: number;
  /**
   * The full URL, instead of host and port: `ws://` or `wss://` for WebSocket, `http://` or
   * `https://` for MCP's Streamable HTTP transport.
   */
  url?: string;
  /**
   * Start this MCP server and speak to it over stdio (MCP's local transport: JSON-RPC lines on its
   * stdin and stdout), instead of connecting to `url`. The session lasts as long as the process;
   * `disconnect()` stops it (stdin closed, then SIGTERM, then SIGKILL).
   */
  command?: StdioServerCommand;
  /**
   * `true` (default): over `WebSocketClientTransport`, which reconnects; `false`: one plain ws
   * socket (legacy path). Over HTTP, `false` means broken event streams are not resumed.
   */
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
  /**
   * Options of the underlying `WebSocketClientTransport` (reconnect policy, heartbeat, queue,
   * headers, …). Over Streamable HTTP, these count: `headers` (on every request), `reconnect`
   * (how broken event streams are resumed; default `{ maxRetries: 10, initialDelay: 500, maxDelay: 30000 }`),
   * `connectTimeout` (bound on the wait for response headers of a GET, a DELETE or a notification,
   * ms; default 10000), `maxMessageSize` (default 10 MiB) and `random`; the others are WebSocket's.
   * Over WebSocket, `protocols` are offered after `mcp` (always offered first): a browser's
   * credential goes there, as `tokenSubprotocol(token)`.
   */
  transport?: Omit<ClientTransportOptions, 'messageHandler' | 'scheduler' | 'resume'>;
  /** Over `http://` and `https://`: the `fetch` to send requests with (a custom TLS agent, a proxy). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Time source for timeouts; tests pass a virtual one. */
  scheduler?: SchedulerLike;
}

/** Per-call options of every request method. */
export interface RequestOptions {
  /** Aborting sends `notifications/cancelled` and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides `requestTimeoutMs`; on timeout the server is sent `notifications/cancelled`. */
  timeoutMs?: number;
}

/** One `notifications/progress` update about a call, as handed to `CallToolOptions.onProgress`. */
export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** Options of `callTool`: those of every request, plus progress reporting. */
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

/** The options with the defaults of what `initialize` sends and of the request timeout filled in. */
export type ResolvedClientOptions = Required<Pick<SimpleMCPClientOptions, 'clientInfo' | 'capabilities' | 'protocolVersion' | 'requestTimeoutMs'>> & SimpleMCPClientOptions;

/** Fills in the defaults documented on `SimpleMCPClientOptions`. */
export function withClientDefaults(options: SimpleMCPClientOptions): ResolvedClientOptions {
  return {
    clientInfo: { name: 'nexus-mcp-client', version: '0.1.0' },
    capabilities: {},
    protocolVersion: LATEST_LEGACY_PROTOCOL_VERSION,
    requestTimeoutMs: 60_000,
    ...options,
  };
}

/** The server the client talks to, as messages and errors name it: its URL, or a stdio server's command line. */
export function endpointOf(options: SimpleMCPClientOptions): string {
  const { command } = options;
  if (command) return `stdio:${[command.command, ...(command.args ?? [])].join(' ')}`;
  return options.url ?? `ws://${options.host ?? 'localhost'}:${options.port ?? 3001}`;
}
