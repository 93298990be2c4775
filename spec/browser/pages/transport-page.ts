/**
 * A page that uses only the WebSocket client transport of the browser build, driven by
 * spec/browser/browser-client.spec.ts through `window.transportPage`: the smallest useful bundle,
 * whose size docs/browser.md reports beside the MCP client's.
 */
import { WebSocketClientTransport, tokenSubprotocol, type JsonObject } from '../../../src/browser/index.js';

/** What the spec can ask of the page. */
export interface TransportPage {
  /** Starts a client of `url` offering `mcp` and the token entry. */
  start(url: string, token: string): Promise<void>;
  send(message: JsonObject): Promise<void>;
  /** The next message from the server. */
  receive(): Promise<JsonObject>;
  stop(): Promise<void>;
}

declare global {
  interface Window {
    transportPage: TransportPage;
  }
}

let client: WebSocketClientTransport | undefined;

function started(): WebSocketClientTransport {
  if (!client) throw new Error('start() first');
  return client;
}

window.transportPage = {
  async start(url, token) {
    client = new WebSocketClientTransport(url, { protocols: ['mcp', tokenSubprotocol(token)] });
    await client.start();
  },
  send: (message) => started().sendMessage(message),
  receive: () => started().receiveMessage(30_000),
  stop: () => client?.stop() ?? Promise.resolve(),
};
