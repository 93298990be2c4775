import type { SchedulerLike } from 'rxjs';
import { WebSocketClientTransport } from '../../transport/client/client-transport.js';
import { DEFAULT_MAX_MESSAGE_SIZE, networkChannel } from './channels/channel-for-url.js';
import type { ClientChannel } from './channels/client-channel.js';
import { McpClientCore } from './mcp-client-core.js';
import type { ResolvedClientOptions, SimpleMCPClientOptions } from './simple-client-options.js';
import { StdioChannel } from './channels/stdio-channel.js';

/**
 * A small MCP client over WebSocket (`ws://`, `wss://`), MCP's Streamable HTTP (`http://`,
 * `https://`) or stdio (a `command` it starts). `connect()` performs the handshake; every call is a
 * JSON-RPC request correlated by id, with a timeout, cancellable by an `AbortSignal`. Over
 * WebSocket, after a dropped connection it reconnects through the transport. When the server
 * resumes the session, calls in flight get their replies from the replay and the session goes on as
 * it was; otherwise (a fresh or expired session, or a server without sessions) calls that were in
 * flight fail with `ConnectionClosedError` (they may or may not have run) and the client
 * re-initializes by itself. New calls wait for the session to be ready again. Over HTTP, a broken
 * event stream is resumed with `Last-Event-ID`, and a session the server no longer knows (404)
 * fails the calls in flight with `SessionNotFoundError` and is replaced by a new one, initialized
 * once by itself. This is the Node client (WebSocket on ws); `nexus-mcp/browser` has the same class
 * for pages, without stdio.
 *
 * @example
 * const client = new SimpleMCPClient({ host: 'localhost', port: 3001 });
 * await client.connect();
 * const tools = await client.listTools();
 * const result = await client.callTool('add', { a: 1, b: 2 });
 * await client.disconnect();
 * @see docs/mcp.md
 */
export class SimpleMCPClient extends McpClientCore {
  /** A client of `options.url` (or `host` and `port`, or a `command`); nothing happens until `connect()`. */
  constructor(options: SimpleMCPClientOptions = {}) {
    super(options, nodeChannel);
  }
}

/** Node's connections: a child process over stdio for a `command`, else HTTP or WebSocket on ws. */
function nodeChannel(url: string, options: ResolvedClientOptions, scheduler: SchedulerLike): ClientChannel {
  if (options.command) return new StdioChannel(options.command, options.transport?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE, scheduler);
  return networkChannel(url, options, scheduler, (socketUrl, transportOptions) => new WebSocketClientTransport(socketUrl, transportOptions));
}
