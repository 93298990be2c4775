/**
 * The MCPServer the Inspector specs talk to: a little of everything a user would poke at with the
 * Inspector — tools taking numbers, strings, nested objects, arrays and booleans, one with a
 * structured result, one that fails; a resource and a resource template; a prompt with arguments.
 * On 127.0.0.1 port 0, stopped after the test (`closeAll`).
 */
import * as t from 'io-ts';
import { MCPServer, ToolError, type MCPServerOptions, type SessionEvent } from '../../../src/mcp/index.js';
import { track } from '../../support/resources.js';

/** The codecs the tools are declared with: the schemas the Inspector must list are theirs. */
export const codecs = {
  add: t.type({ a: t.number, b: t.number }),
  greet: t.strict({ name: t.string }),
  measure: t.type({ box: t.type({ w: t.number, h: t.number }), tags: t.array(t.string), rounded: t.boolean }),
  measured: t.type({ area: t.number, label: t.string }),
  restock: t.type({}),
  review: t.type({ code: t.string, language: t.string }),
} as const;

export interface InspectedServer {
  readonly server: MCPServer;
  /** `http://127.0.0.1:<port>/`: Streamable HTTP. */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>/`: WebSocket, the same server. */
  readonly wsUrl: string;
  /** Every session opened or closed so far. */
  readonly sessions: SessionEvent[];
}

export async function startInspectedServer(options: MCPServerOptions = {}): Promise<InspectedServer> {
  const server = track(new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 300, ...options }), (s) => s.stop());
  registerEverything(server);
  const sessions: SessionEvent[] = [];
  server.sessions$.subscribe((event) => sessions.push(event));
  await server.start();
  const { httpUrl, url } = server;
  if (httpUrl === undefined || url === undefined) throw new Error('a started MCPServer has both URLs');
  return { server, httpUrl, wsUrl: url, sessions };
}

function registerEverything(server: MCPServer): void {
  server.registerTool('add', { description: 'Adds two numbers', input: codecs.add }, ({ a, b }) => String(a + b));
  server.registerTool('greet', { description: 'Greets someone by name', input: codecs.greet }, ({ name }) => `Hello, ${name}!`);
  server.registerTool('measure', { input: codecs.measure, output: codecs.measured }, ({ box, tags, rounded }) => ({
    area: box.w * box.h,
    label: `${tags.join('+')}${rounded ? ' (rounded)' : ''}`,
  }));
  server.registerTool('restock', { input: codecs.restock }, () => {
    throw new ToolError('The shelf is empty');
  });
  server.registerResource('memo://greeting', { name: 'greeting', mimeType: 'text/plain', description: 'A short hello' }, () => 'Hello from nexus-mcp');
  server.registerResourceTemplate('users://{id}/profile', { name: 'profile', mimeType: 'application/json' }, (_uri, { id }) => JSON.stringify({ id }));
  server.registerPrompt('review', { description: 'Review a piece of code', args: codecs.review }, ({ code, language }) => `Review this ${language} code:\n${code}`);
}
