/**
 * A page that uses SimpleMCPClient from the browser build, driven by spec/browser/browser-client.spec.ts
 * through `window.mcpPage`. Bundled with esbuild for the browser (see support/browser-bundle.ts), so
 * it is also the page whose size docs/browser.md reports.
 */
import { SimpleMCPClient, tokenSubprotocol, type JsonObject, type JsonRpcNotification, type McpClientState } from '../../../src/browser/index.js';

/** What the spec can ask of the page. Results are plain JSON, as `page.evaluate` carries them. */
export interface McpPage {
  /** Connects with `token` offered as a subprotocol entry; resolves with the server's name. */
  connect(url: string, token: string): Promise<string>;
  listTools(): Promise<string[]>;
  /** Calls a tool and resolves with its text content. */
  callTool(name: string, args: JsonObject): Promise<string>;
  /** Starts a call without waiting for it (say, while disconnected); `settled(key)` waits for it. */
  startCall(name: string, args: JsonObject): string;
  settled(key: string): Promise<string>;
  /** Every notification so far, and every state the client went through. */
  notifications(): JsonRpcNotification[];
  states(): McpClientState[];
  state(): McpClientState;
  /** Problems the client reported on `errors$`, as messages. */
  errors(): string[];
  disconnect(): Promise<void>;
}

declare global {
  interface Window {
    mcpPage: McpPage;
  }
}

let client: SimpleMCPClient | undefined;
const notifications: JsonRpcNotification[] = [];
const states: McpClientState[] = [];
const errors: string[] = [];
const calls = new Map<string, Promise<string>>();

function connected(): SimpleMCPClient {
  if (!client) throw new Error('connect() first');
  return client;
}

async function textOf(name: string, args: JsonObject): Promise<string> {
  const result = await connected().callTool(name, args);
  return result.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('');
}

window.mcpPage = {
  async connect(url, token) {
    client = new SimpleMCPClient({
      url,
      requestTimeoutMs: 60_000,
      // A restarted server takes a moment to come back: retry often, and for long enough.
      transport: { protocols: [tokenSubprotocol(token)], reconnect: { initialDelay: 100, maxDelay: 500, maxRetries: 200 } },
    });
    client.notifications$.subscribe((notification) => notifications.push(notification));
    client.state$.subscribe((state) => states.push(state));
    client.errors$.subscribe((error) => errors.push(error.message));
    const initialized = await client.connect();
    return initialized.serverInfo.name;
  },
  async listTools() {
    return (await connected().listTools()).map((tool) => tool.name);
  },
  callTool: textOf,
  startCall(name, args) {
    const key = String(calls.size + 1);
    const call = textOf(name, args);
    // Held until asked for; a rejection is reported then, not as an unhandled one now.
    call.catch(() => undefined);
    calls.set(key, call);
    return key;
  },
  settled(key) {
    return calls.get(key) ?? Promise.reject(new Error(`no call ${key}`));
  },
  notifications: () => notifications,
  states: () => states,
  state: () => connected().state,
  errors: () => errors,
  disconnect: () => client?.disconnect() ?? Promise.resolve(),
};
