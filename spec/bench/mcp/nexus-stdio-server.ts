/**
 * MCPServer over stdio (the compiled package, as users run it), spawned once per client by the SDK's
 * StdioClientTransport in the mcp load generator. Exits when its stdin ends.
 */
import { BENCH_TRANSPORT_OPTIONS } from '../servers/nexus-options.js';
import { loadNexusMcp, registerEcho } from './nexus-mcp.js';

const nexus = await loadNexusMcp();
if (!nexus.ok) throw new Error(nexus.reason);
// The same server settings as over WebSocket: no per-connection message rate (it would cap one client at 1000 calls/s).
const server = new nexus.module.MCPServer({ ...BENCH_TRANSPORT_OPTIONS, name: 'bench', version: '1.0.0' });
registerEcho(server);
await server.serveStdio();
await server.stop();
process.exit(0);
