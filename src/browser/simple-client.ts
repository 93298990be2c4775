import type { SchedulerLike } from 'rxjs';
import { networkChannel } from '../mcp/client/channels/channel-for-url.js';
import type { ClientChannel } from '../mcp/client/channels/client-channel.js';
import { McpClientCore } from '../mcp/client/mcp-client-core.js';
import type { ResolvedClientOptions, SimpleMCPClientOptions } from '../mcp/client/simple-client-options.js';
import { WebSocketClientTransport } from './client-transport.js';

/**
 * A small MCP client for pages, over WebSocket (`ws://`, `wss://`) or MCP's Streamable HTTP
 * (`http://`, `https://`): the same client as `nexus-mcp`'s `SimpleMCPClient`, on the native
 * `WebSocket` and `fetch`, without stdio (`command` throws). A bearer token goes in
 * `transport.protocols` as {@link tokenSubprotocol}`(token)`; after a drop it reconnects and, when
 * the server resumes the session, carries on where it was.
 *
 * @example
 * const client = new SimpleMCPClient({ url: 'wss://example.com/mcp', transport: { protocols: [tokenSubprotocol(token)] } });
 * await client.connect();
 * const result = await client.callTool('add', { a: 1, b: 2 });
 * await client.disconnect();
 * @see docs/browser.md
 */
export class SimpleMCPClient extends McpClientCore {
  /** A client of `options.url` (or `host` and `port`); nothing happens until `connect()`. */
  constructor(options: SimpleMCPClientOptions = {}) {
    if (options.command) throw new TypeError('A browser cannot start a process: stdio servers (`command`) need the Node client');
    super(options, browserChannel);
  }
}

/** A page's connections: Streamable HTTP over `fetch`, or WebSocket on the native one. */
function browserChannel(url: string, options: ResolvedClientOptions, scheduler: SchedulerLike): ClientChannel {
  return networkChannel(url, options, scheduler, (socketUrl, transportOptions) => new WebSocketClientTransport(socketUrl, transportOptions));
}
