/**
 * The MCP server a browser test talks to, as its own process, so that the test can kill it as a
 * crash would and start another on the same port:
 * `node --import tsx mcp-node.ts --port 0 --redis redis://… --node-id a --origin http://… --token …`.
 *
 * Sessions live in Redis (RedisBus with its stream, redisSessions, RedisMcpSessionStore), so a
 * client of a killed server resumes on its successor with its MCP session. It announces its port on
 * stdout (`{"event":"ready","port":…}`) and obeys commands on stdin: `broadcast` (a JSON-RPC
 * notification to every client of the cluster) and `open` (see `--hold`). It exits when stdin
 * closes, so it never outlives its test.
 */
import * as t from 'io-ts';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MCPServer } from '../../../src/mcp/index.js';
import { RedisBus, RedisMcpSessionStore, redisSessions } from '../../../src/redis/index.js';
import { bearerAuth } from '../../../src/transport/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    redis: { type: 'string' },
    'node-id': { type: 'string' },
    origin: { type: 'string' },
    token: { type: 'string' },
    // Answer no upgrade until told `open`: lets a test act while no server holds the session.
    hold: { type: 'boolean', default: false },
  },
});

const nodeId = values['node-id'] ?? `node-${process.pid}`;
const emit = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

let open: () => void = () => undefined;
const opened = values.hold ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();

async function main(): Promise<void> {
  const url = values.redis;
  if (url === undefined || values.origin === undefined || values.token === undefined) throw new Error('--redis, --origin and --token are required');
  const store = new RedisMcpSessionStore({ url });
  const server = new MCPServer({
    name: 'browser-test',
    version: '1.0.0',
    host: '127.0.0.1',
    port: Number(values.port),
    logger: false,
    // The page's origin, and only it: the browser sends it on every upgrade.
    allowedOrigins: [values.origin],
    authenticate: bearerAuth(async (token) => {
      await opened;
      return token === values.token ? { clientId: 'page-user', scopes: [] } : undefined;
    }),
    cluster: new RedisBus({ url, nodeId, leaseMs: 1000 }),
    resume: { shared: redisSessions({ url }), liveCheckMs: 300 },
    sessions: { store, ttlMs: 60_000 },
  });
  server.registerTool('add', { description: 'Adds two numbers', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('whoami', { description: 'Which node serves the caller, and its client id', input: t.type({}) }, (_args, ctx) => `${nodeId} ${ctx.sessionId}`);
  await server.start();
  emit({ event: 'ready', port: server.address?.port });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; text?: string };
    if (command.cmd === 'open') {
      open();
      emit({ event: 'opened' });
    } else if (command.cmd === 'broadcast') {
      const notification = { jsonrpc: '2.0', method: 'notifications/announcement', params: { text: command.text ?? '', from: nodeId } };
      server.transport.sendMessage(notification).then(
        (reached) => emit({ event: 'broadcast', reached }),
        (error: unknown) => emit({ event: 'failed', message: String(error) }),
      );
    }
  });
  lines.on('close', () => {
    void server
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
