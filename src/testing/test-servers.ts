import type { ClientTransportOptions, ServerTransportOptions } from '../transport/index.js';
import { WebSocketClientTransport, WebSocketServerTransport } from '../transport/index.js';
import { MCPServer, SimpleMCPClient, type MCPServerOptions, type SimpleMCPClientOptions } from '../mcp/index.js';

/** Settings that make a test server quick and quiet: loopback, a free port, no heartbeat, no logging, a short stop. */
const QUIET = { host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 500 } as const;

/** What {@link testServers} returns: makers of started servers and clients, and `closeAll()`. */
export interface TestServers {
  /** A started `WebSocketServerTransport`, and the URL to reach it. */
  transport(options?: ServerTransportOptions): Promise<{ server: WebSocketServerTransport; url: string }>;
  /** A started `MCPServer` (`setup` registers its tools, resources and prompts first), and its URL. */
  mcp(options?: MCPServerOptions, setup?: (server: MCPServer) => void): Promise<{ server: MCPServer; url: string }>;
  /** A started `WebSocketClientTransport` (no heartbeat, quick reconnects unless told otherwise). */
  client(url: string, options?: ClientTransportOptions): Promise<WebSocketClientTransport>;
  /** A connected `SimpleMCPClient`. */
  mcpClient(url: string, options?: Omit<SimpleMCPClientOptions, 'url'>): Promise<SimpleMCPClient>;
  /** Stops everything made here, clients first, and forgets it. */
  closeAll(): Promise<void>;
}

/**
 * Real servers and clients for integration tests, on 127.0.0.1 and a free port, each remembered so
 * that one call ends them all: call `closeAll()` after each test (`afterEach(() => servers.closeAll())`).
 *
 * @example
 * const servers = testServers();
 * afterEach(() => servers.closeAll());
 * it('echoes', async () => {
 *   const { url } = await servers.transport({ messageHandler: (m) => m });
 *   const client = await servers.client(url);
 *   await client.sendMessage({ hi: 1 });
 *   expect(await client.receiveMessage(1000)).toEqual({ hi: 1 });
 * });
 * @see docs/testing.md
 */
export function testServers(): TestServers {
  const open: (() => Promise<unknown>)[] = [];
  const keep = <T>(resource: T, close: (resource: T) => Promise<unknown>): T => {
    open.push(() => close(resource));
    return resource;
  };
  return {
    async transport(options = {}) {
      const server = keep(new WebSocketServerTransport({ ...QUIET, ...options }), (s) => s.stop());
      await server.start();
      return { server, url: urlOf(server.url) };
    },
    async mcp(options = {}, setup) {
      const server = keep(new MCPServer({ ...QUIET, ...options }), (s) => s.stop());
      setup?.(server);
      await server.start();
      return { server, url: urlOf(server.url) };
    },
    async client(url, options = {}) {
      const client = keep(
        new WebSocketClientTransport(url, { heartbeat: false, reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 5 }, ...options }),
        (c) => c.stop(),
      );
      await client.start();
      return client;
    },
    async mcpClient(url, options = {}) {
      const client = keep(new SimpleMCPClient({ ...options, url, transport: { heartbeat: false, ...options.transport } }), (c) => c.disconnect());
      await client.connect();
      return client;
    },
    async closeAll() {
      // Newest first: clients before the servers they talk to.
      const closing = open.splice(0).reverse();
      for (const close of closing) await close().catch(() => undefined);
    },
  };
}

function urlOf(url: string | undefined): string {
  if (url === undefined) throw new Error('A started server has a URL');
  return url;
}
