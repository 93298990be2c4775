/**
 * An MCP server under test, as its own process: `node --import tsx mcp-server-main.ts --kind nexus`.
 * Announces `{ port }` when listening, or `{ skipped }` when the nexus MCP layer is not there yet.
 */
import { argument, serveRpc } from '../rpc.js';
import { cpuSample } from '../stats.js';
import { loadNexusMcp, startNexusMcpServer } from './nexus-mcp.js';
import { startSdkHttpServer } from './sdk-http-server.js';

/** Which server a `--kind` starts. */
export type McpServerKind = 'nexus' | 'sdk-http' | 'sdk-http-json';

/** What the server process announces when ready. */
export type McpServerInfo = { readonly port: number } | { readonly skipped: string };

async function start(kind: McpServerKind): Promise<{ info: McpServerInfo; stop: () => Promise<void> }> {
  if (kind === 'nexus') {
    const nexus = await loadNexusMcp();
    if (!nexus.ok) return { info: { skipped: nexus.reason }, stop: () => Promise.resolve() };
    const { server, port } = await startNexusMcpServer(nexus.module);
    return { info: { port }, stop: () => server.stop() };
  }
  const { port, stop } = await startSdkHttpServer(kind === 'sdk-http-json');
  return { info: { port }, stop };
}

async function main(): Promise<void> {
  const kind = argument('kind') as McpServerKind;
  const { info, stop } = await start(kind);
  serveRpc(
    {
      cpu: () => cpuSample(),
      stop: async () => {
        await stop();
        setImmediate(() => process.exit(0));
      },
    },
    info,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
