/**
 * A small MCP server with the dashboard on, and clients that keep it busy: what the screenshot
 * script shows.
 */
import * as t from 'io-ts';
import { MCPServer, SimpleMCPClient, ToolError } from '../../src/mcp/index.js';
import { WebSocketClientTransport, type ClusterBus } from '../../src/transport/index.js';

/** A started demo server: its page URL, its clients, and `stop()` for all of it. */
export interface DemoServer {
  readonly server: MCPServer;
  readonly pageUrl: string;
  /** The MCP clients, connected. */
  readonly clients: SimpleMCPClient[];
  /** One round of work: every client calls a few tools (one call fails). */
  work(round: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server (a node of `cluster`, if given), `clients` MCP clients that call its tools, and two plain transport clients. */
export async function startDemo(clients = 4, cluster?: ClusterBus): Promise<DemoServer> {
  const server = new MCPServer({ host: '127.0.0.1', port: 0, logger: false, dashboard: { sampleMs: 500 }, name: 'demo', ...(cluster ? { cluster } : {}) });
  server.registerTool('add', { description: 'Add two numbers', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('search_docs', { description: 'Pretend to search', input: t.type({ query: t.string }) }, async ({ query }) => {
    await sleep(20 + (query.length % 7) * 15);
    return `results for ${query}`;
  });
  server.registerTool('fetch_page', { description: 'Fails now and then', input: t.type({ url: t.string }) }, ({ url }) => {
    if (url.includes('missing')) throw new ToolError(`${url} was not found`);
    return 'ok';
  });
  await server.start();
  const url = `ws://127.0.0.1:${server.address?.port ?? 0}`;
  const mcpClients: SimpleMCPClient[] = [];
  for (let i = 0; i < clients; i++) {
    const client = new SimpleMCPClient({ url, clientInfo: { name: `agent-${i + 1}`, version: '1.0.0' } });
    await client.connect();
    mcpClients.push(client);
  }
  const plain = [new WebSocketClientTransport(url, { protocols: [] }), new WebSocketClientTransport(url)];
  for (const client of plain) await client.start();
  return {
    server,
    pageUrl: `http://127.0.0.1:${server.address?.port ?? 0}/dashboard`,
    clients: mcpClients,
    work: (round) =>
      Promise.all(
        mcpClients.map(async (client, i) => {
          await client.callTool('add', { a: round, b: i });
          await client.callTool('search_docs', { query: `topic ${round * 7 + i}` });
          await client.callTool('fetch_page', { url: i === round % mcpClients.length ? 'https://example.com/missing' : 'https://example.com/' });
        }),
      ).then(() => undefined),
    async stop() {
      for (const client of mcpClients) await client.disconnect().catch(() => undefined);
      for (const client of plain) await client.stop();
      await server.stop();
    },
  };
}
