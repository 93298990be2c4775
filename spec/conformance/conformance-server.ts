/**
 * The server the conformance suite tests: an MCPServer on 127.0.0.1, an ephemeral port, with the
 * suite's fixtures. Runs on the project's Node (tsx), prints its Streamable HTTP URL as the first
 * line of stdout, and stops on SIGTERM, SIGINT or when stdin closes (its parent went away).
 */
import { MCPServer } from '../../src/mcp/index.js';
import { registerConformanceFixtures } from './conformance-fixtures.js';

const server = new MCPServer({ host: '127.0.0.1', port: 0, name: 'nexus-mcp-conformance', version: '1.0.0', logger: false });
registerConformanceFixtures(server);
// Handler failures reach stderr, so a failing scenario's log shows the server's side too.
server.errors$.subscribe(({ error, context }) => console.error(`[server] ${context}:`, error));

await server.start();
const url = server.httpUrl;
if (url === undefined) throw new Error('MCPServer serves Streamable HTTP by default');
process.stdout.write(`${url}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[server] stop failed:', error);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
