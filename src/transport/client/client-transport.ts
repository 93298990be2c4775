import { WebSocket as WsWebSocket } from 'ws';
import { ClientTransportCore } from './client-core.js';
import type { ClientTransportOptions } from './client-options.js';
import type { WebSocketConstructor } from './client-socket.js';

export type { ClientState } from './client-core.js';

/**
 * A WebSocket client for JSON messages that reconnects by itself with full-jitter backoff, holds
 * sends in a bounded queue while the connection is down, and exposes its state and messages as
 * Observables. In Node it runs on ws by default; the browser build (`nexus-mcp/browser`) has the
 * same class on the native WebSocket.
 *
 * @example
 * const client = new WebSocketClientTransport('ws://localhost:3001');
 * await client.start();
 * await client.sendMessage({ type: 'request', action: 'process_data', data: [1, 2, 3] });
 * const reply = await client.receiveMessage(5_000);
 * await client.stop();
 * @see docs/transport.md
 */
export class WebSocketClientTransport extends ClientTransportCore {
  /** A client of `uri` (`ws://` or `wss://`); nothing happens until `start()`. */
  constructor(uri: string, options: ClientTransportOptions = {}) {
    super(uri, options, WsWebSocket as unknown as WebSocketConstructor);
  }
}
