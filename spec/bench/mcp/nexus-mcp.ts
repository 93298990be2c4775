/**
 * The nexus MCP layer (src/mcp, compiled: see build.ts), loaded by dynamic import. When the build has
 * no `mcp/index.js` exporting `MCPServer` and `SimpleMCPClient`, the nexus legs of the mcp workload
 * are skipped with the reason instead of failing the run; they run as soon as the module is there.
 */
import * as t from 'io-ts';
import { builtModule } from '../build.js';
import { BENCH_TRANSPORT_OPTIONS } from '../servers/nexus-options.js';

type McpModule = typeof import('../../../src/mcp/index.js');
type MCPServer = InstanceType<McpModule['MCPServer']>;
type SimpleMCPClient = InstanceType<McpModule['SimpleMCPClient']>;

export type NexusMcpLoad = { readonly ok: true; readonly module: McpModule } | { readonly ok: false; readonly reason: string };

/** Imports the compiled src/mcp/index.ts; `ok: false` with the reason when it is missing or lacks the two classes. */
export async function loadNexusMcp(): Promise<NexusMcpLoad> {
  let loaded: Partial<McpModule>;
  try {
    loaded = (await import(builtModule('mcp/index.js'))) as Partial<McpModule>;
  } catch (error) {
    return { ok: false, reason: `src/mcp/index.ts does not exist or cannot be loaded yet (${firstLine(error)})` };
  }
  const missing = (['MCPServer', 'SimpleMCPClient'] as const).filter((name) => typeof loaded[name] !== 'function');
  if (missing.length > 0) return { ok: false, reason: `src/mcp/index.ts does not export ${missing.join(' and ')} yet` };
  return { ok: true, module: loaded as McpModule };
}

/** Starts an MCPServer on a free loopback port with the benchmark's `echo` tool. */
export async function startNexusMcpServer(module: McpModule): Promise<{ server: MCPServer; port: number }> {
  const server = new module.MCPServer({ ...BENCH_TRANSPORT_OPTIONS, host: '127.0.0.1', port: 0, name: 'bench', version: '1.0.0' });
  registerEcho(server);
  await server.start();
  const port = server.address?.port;
  if (port === undefined) throw new Error('MCPServer did not report its port');
  return { server, port };
}

/** The benchmark's one tool: `echo`, returning its text as a text content block. */
export function registerEcho(server: MCPServer): void {
  server.registerTool('echo', { description: 'Echoes its text', input: t.type({ text: t.string }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
}

/** A connected SimpleMCPClient. */
export async function connectSimpleClient(module: McpModule, url: string): Promise<SimpleMCPClient> {
  const client = new module.SimpleMCPClient({ url, clientInfo: { name: 'bench', version: '1.0.0' } });
  await client.connect();
  return client;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
