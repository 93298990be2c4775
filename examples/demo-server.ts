/**
 * The main job: an MCP server with demo tools, a resource and a prompt, reachable three ways —
 * WebSocket and Streamable HTTP on one port, or stdio for hosts that spawn their servers.
 *
 *   npm start                                   # ws://127.0.0.1:3001 and http://127.0.0.1:3001 (HOST / PORT override)
 *                                               # the live dashboard: http://127.0.0.1:3001/dashboard (this machine only)
 *   npx nexus-mcp tools ws://127.0.0.1:3001     # WebSocket
 *   npx nexus-mcp call http://127.0.0.1:3001 add '{"a": 2, "b": 40}'   # Streamable HTTP
 *   npx tsx examples/demo-server.ts --stdio     # stdio: JSON-RPC lines on stdin/stdout, logs on stderr
 */
import * as t from 'io-ts';
import { firstValueFrom, fromEvent, race, timer } from 'rxjs';
import { described, MCPServer, ToolError } from '../src/index.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const port = Number(process.env['PORT'] ?? 3001);
// On stdio, stdout carries the protocol: everything the demo says goes to stderr.
const stdio = process.argv.includes('--stdio');
const say = stdio ? console.error : console.log;

const server = new MCPServer({
  host,
  port,
  name: 'nexus-mcp-demo',
  version: '0.1.0',
  instructions: 'Demo tools: echo, add, count (reports progress), weather (structured output), clock. Notes at notes://welcome.',
  // The admin page and the load balancer's probes, on the same port (unused on stdio). The dashboard
  // answers only this machine: no `authorize` hook is given.
  dashboard: !stdio,
  health: !stdio,
});

server.registerTool('echo', { description: 'Echoes its text', input: t.type({ text: t.string }), annotations: { readOnlyHint: true } }, ({ text }) => text);

server.registerTool(
  'add',
  { description: 'Adds two numbers', input: t.type({ a: described(t.number, 'first addend'), b: described(t.number, 'second addend') }), annotations: { readOnlyHint: true } },
  ({ a, b }) => String(a + b),
);

server.registerTool(
  'count',
  { description: 'Counts to n, one step every 250 ms, reporting progress; cancellable', input: t.type({ n: described(t.Int, 'how far to count (1–100)') }) },
  async ({ n }, ctx) => {
    if (n < 1 || n > 100) throw new ToolError('n must be between 1 and 100');
    for (let i = 1; i <= n; i += 1) {
      await firstValueFrom(race(timer(250), fromEvent(ctx.signal, 'abort')));
      if (ctx.signal.aborted) throw new ToolError(`stopped at ${i - 1}`);
      ctx.progress(i, n, `${i} of ${n}`);
    }
    return `counted to ${n}`;
  },
);

server.registerTool(
  'weather',
  {
    description: 'Made-up weather for a city, as structured output',
    input: t.type({ city: t.string }),
    output: t.type({ city: t.string, celsius: t.number, sky: t.keyof({ clear: null, cloudy: null, rain: null }) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  ({ city }) => {
    const skies = ['clear', 'cloudy', 'rain'] as const;
    return { city, celsius: 10 + (city.length * 3) % 20, sky: skies[city.length % skies.length] ?? 'clear' };
  },
);

server.registerTool('clock', { description: 'The server time, ISO 8601', input: t.type({}) }, () => new Date().toISOString());

server.registerResource('notes://welcome', { name: 'welcome', description: 'What this server is', mimeType: 'text/markdown' }, () =>
  '# nexus-mcp demo\n\nMCP over WebSocket. Try the tools `add`, `count` and `weather`.',
);

server.registerPrompt('explain', { description: 'Asks for an explanation of a topic', args: t.type({ topic: described(t.string, 'what to explain') }) }, ({ topic }) =>
  `Explain ${topic} in three short paragraphs.`,
);

server.sessions$.subscribe(({ type, clientInfo, protocolVersion, era }) =>
  say(`session ${type}: ${clientInfo?.name ?? 'unknown client'} ${clientInfo?.version ?? ''} (${era} ${protocolVersion ?? ''})`),
);
server.toolCalls$.subscribe(({ name, outcome, durationMs }) => say(`tools/call ${name}: ${outcome} (${Math.round(durationMs)} ms)`));
server.errors$.subscribe(({ context, error }) => console.warn(`error in ${context}:`, error));

const shutdown = (): void => {
  say('stopping…');
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

if (stdio) {
  say('MCP demo server on stdio (stdin/stdout); it stops when its input ends');
  await server.serveStdio();
  shutdown();
} else {
  await server.start();
  say(`MCP demo server listening on ${server.url ?? ''} and ${server.httpUrl ?? ''} (WebSocket, subprotocol "mcp", and Streamable HTTP; Ctrl-C to stop)`);
  say(`live dashboard: ${server.httpUrl ?? ''}/dashboard (from this machine); health: /healthz and /readyz`);
}
