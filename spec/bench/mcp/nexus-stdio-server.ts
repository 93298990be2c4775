/**
 * MCPServer over stdio (the compiled package, as users run it), spawned once per client by the SDK's
 * StdioClientTransport in the mcp load generator. Exits when its stdin ends.
 */
import { loadNexusMcp, registerEcho } from './nexus-mcp.js';

const nexus = await loadNexusMcp();
if (!nexus.ok) throw new Error(nexus.reason);
const server = new nexus.module.MCPServer({ logger: false, name: 'bench', version: '1.0.0' });
registerEcho(server);
await server.serveStdio();
await server.stop();
process.exit(0);
