import { ClientTransportCore } from '../transport/client/client-core.js';
import type { ClientTransportOptions } from '../transport/client/client-options.js';
import type { WebSocketConstructor } from '../transport/client/client-socket.js';

/**
 * The browser's WebSocket (or any `globalThis.WebSocket`: Deno, Node 22), read when a client is
 * made, so that a page or test that installs one later is served.
 */
export function nativeWebSocket(): WebSocketConstructor {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native !== 'function') throw new TypeError('No WebSocket in this environment: pass one as the `WebSocket` option');
  return native as WebSocketConstructor;
}

/**
 * A WebSocket client for JSON messages that reconnects by itself with full-jitter backoff, holds
 * sends in a bounded queue while the connection is down, and exposes its state and messages as
 * Observables. This is the browser build: the same client as `nexus-mcp/transport`'s, on the
 * native `WebSocket`. Browsers cannot set upgrade headers or send pings: credentials travel as a
 * subprotocol entry ({@link tokenSubprotocol}), and there is no client heartbeat.
 *
 * @example
 * const client = new WebSocketClientTransport('wss://example.com/ws', { protocols: ['mcp', tokenSubprotocol(token)] });
 * await client.start();
 * await client.sendMessage({ type: 'hello' });
 * client.messages$.subscribe((message) => render(message));
 * @see docs/browser.md
 */
export class WebSocketClientTransport extends ClientTransportCore {
  /** A client of `uri` (`ws://` or `wss://`); nothing happens until `start()`. */
  constructor(uri: string, options: ClientTransportOptions = {}) {
    super(uri, options, options.WebSocket ?? nativeWebSocket());
  }
}
