/**
 * The MCP Inspector's command-line client (`@modelcontextprotocol/inspector-cli`, the official SDK's
 * Client inside) against a real MCPServer, two ways: over Streamable HTTP, and as a stdio host that
 * spawns `nexus-mcp connect <ws-url>`, our stdio ↔ WebSocket bridge. Each route makes the same
 * calls and must get the same answers, printed as the Inspector prints them, with its exit code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toJsonSchema } from '../../src/mcp/index.js';
import { bearerAuth } from '../../src/transport/index.js';
import { closeAll } from '../support/resources.js';
import { codecs, startInspectedServer, type InspectedServer } from './support/inspected-server.js';
import { inspect, nexusConnect, printed, type InspectorRun } from './support/inspector-cli.js';

afterEach(closeAll);

/** How the Inspector reaches the server: the target part of its command line. */
interface Route {
  readonly name: string;
  readonly target: (server: InspectedServer) => string[];
}

const routes: Route[] = [
  // The server answers on any path; without `--transport http` the Inspector guesses SSE unless the path ends in /mcp.
  { name: 'over Streamable HTTP', target: ({ httpUrl }) => [httpUrl, '--transport', 'http'] },
  { name: 'through nexus-mcp connect', target: ({ wsUrl }) => nexusConnect(wsUrl) },
];

/** A run that succeeded: exit 0, and the JSON it printed. */
function succeeded(run: InspectorRun): unknown {
  expect(run.code, run.stderr).toBe(0);
  return printed(run);
}

/** A run that failed: exit 1, nothing on stdout, and the message it printed on stderr. */
function failed(run: InspectorRun): string {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  return run.stderr;
}

const text = (value: string) => ({ content: [{ type: 'text', text: value }] });

describe.each(routes)('the Inspector CLI $name', { timeout: 60_000 }, (route) => {
  async function started(): Promise<{ server: InspectedServer; run: (...method: string[]) => Promise<InspectorRun> }> {
    const server = await startInspectedServer();
    return { server, run: (...method) => inspect([...route.target(server), ...method]) };
  }

  it('lists the tools with the schemas their io-ts codecs publish, and the server sees the Inspector as its client', async () => {
    const { server, run } = await started();
    expect(succeeded(await run('--method', 'tools/list'))).toEqual({
      tools: [
        { name: 'add', description: 'Adds two numbers', inputSchema: toJsonSchema(codecs.add) },
        { name: 'greet', description: 'Greets someone by name', inputSchema: toJsonSchema(codecs.greet) },
        { name: 'measure', inputSchema: toJsonSchema(codecs.measure), outputSchema: toJsonSchema(codecs.measured) },
        { name: 'restock', inputSchema: toJsonSchema(codecs.restock) },
      ],
    });
    // What those codecs publish, spelled out once: the Inspector reads the types to convert key=value pairs.
    expect(toJsonSchema(codecs.add)).toEqual({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(toJsonSchema(codecs.greet)).toMatchObject({ properties: { name: { type: 'string' } }, additionalProperties: false });
    expect(server.sessions[0]).toMatchObject({ type: 'opened', era: 'legacy', protocolVersion: '2025-11-25', clientInfo: { name: 'inspector-cli', version: '1.0.3' } });
  });

  it('calls tools with numbers, strings, objects, arrays and booleans given as key=value', async () => {
    const { run } = await started();
    expect(succeeded(await run('--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=20', 'b=22'))).toEqual(text('42'));
    expect(succeeded(await run('--method', 'tools/call', '--tool-name', 'greet', '--tool-arg', 'name=Ada Lovelace'))).toEqual(text('Hello, Ada Lovelace!'));
    const measured = { area: 6, label: 'oak+pine (rounded)' };
    expect(
      succeeded(await run('--method', 'tools/call', '--tool-name', 'measure', '--tool-arg', 'box={"w":2,"h":3}', 'tags=["oak","pine"]', 'rounded=true')),
    ).toEqual({ ...text(JSON.stringify(measured)), structuredContent: measured });
  });

  it('prints a failing tool as an isError result and exits 0', async () => {
    const { run } = await started();
    expect(succeeded(await run('--method', 'tools/call', '--tool-name', 'restock'))).toEqual({ ...text('The shelf is empty'), isError: true });
    // The Inspector parses every value as JSON first: name=42 arrives as the number 42, name="42" as a string.
    expect(succeeded(await run('--method', 'tools/call', '--tool-name', 'greet', '--tool-arg', 'name=42'))).toEqual({
      ...text('Invalid arguments for tool "greet": arguments.name: expected a string, got 42'),
      isError: true,
    });
    expect(succeeded(await run('--method', 'tools/call', '--tool-name', 'greet', '--tool-arg', 'name="42"'))).toEqual(text('Hello, 42!'));
  });

  it('exits 1 with the JSON-RPC error for an unknown tool or resource', async () => {
    const { run } = await started();
    expect(failed(await run('--method', 'tools/call', '--tool-name', 'juggle'))).toContain('Failed to call tool juggle: MCP error -32602: Unknown tool');
    expect(failed(await run('--method', 'resources/read', '--uri', 'memo://missing'))).toContain(
      'Failed to read resource memo://missing: MCP error -32002: Resource not found',
    );
  });

  it('lists and reads resources and resource templates', async () => {
    const { run } = await started();
    expect(succeeded(await run('--method', 'resources/list'))).toEqual({
      resources: [{ uri: 'memo://greeting', name: 'greeting', mimeType: 'text/plain', description: 'A short hello' }],
    });
    expect(succeeded(await run('--method', 'resources/templates/list'))).toEqual({
      resourceTemplates: [{ uriTemplate: 'users://{id}/profile', name: 'profile', mimeType: 'application/json' }],
    });
    expect(succeeded(await run('--method', 'resources/read', '--uri', 'memo://greeting'))).toEqual({
      contents: [{ uri: 'memo://greeting', mimeType: 'text/plain', text: 'Hello from nexus-mcp' }],
    });
    expect(succeeded(await run('--method', 'resources/read', '--uri', 'users://7/profile'))).toEqual({
      contents: [{ uri: 'users://7/profile', mimeType: 'application/json', text: '{"id":"7"}' }],
    });
  });

  it('lists prompts and gets one with its arguments', async () => {
    const { run } = await started();
    expect(succeeded(await run('--method', 'prompts/list'))).toEqual({
      prompts: [
        {
          name: 'review',
          description: 'Review a piece of code',
          arguments: [
            { name: 'code', required: true },
            { name: 'language', required: true },
          ],
        },
      ],
    });
    expect(succeeded(await run('--method', 'prompts/get', '--prompt-name', 'review', '--prompt-args', 'code=x => x + 1', 'language=TypeScript'))).toEqual({
      description: 'Review a piece of code',
      messages: [{ role: 'user', content: { type: 'text', text: 'Review this TypeScript code:\nx => x + 1' } }],
    });
  });

  it('sets the log level; a level MCP does not have (the Inspector offers "warn") is refused by name', async () => {
    const { run } = await started();
    expect(succeeded(await run('--method', 'logging/setLevel', '--log-level', 'error'))).toEqual({});
    // Inspector v1 offers trace, debug, info, warn, error: "warn" and "trace" are not MCP levels (upstream: modelcontextprotocol/inspector#1734).
    expect(failed(await run('--method', 'logging/setLevel', '--log-level', 'warn'))).toContain(
      'Failed to set logging level: MCP error -32602: Invalid params for logging/setLevel: params.level: expected one of "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency", got "warn"',
    );
  });
});

describe('the Inspector CLI through nexus-mcp connect', { timeout: 60_000 }, () => {
  it('ends the bridge when it is done: the session opens and closes, and no connection is left', async () => {
    const { server, wsUrl, sessions } = await startInspectedServer();
    expect(succeeded(await inspect([...nexusConnect(wsUrl), '--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=1', 'b=2']))).toEqual(text('3'));
    await expect.poll(() => sessions.map((event) => event.type)).toEqual(['opened', 'closed']);
    expect(sessions[1]?.close).toMatchObject({ code: 1000 });
    expect(server.transport.getConnectedClients()).toBe(0);
  });
});

describe('the Inspector CLI with a bearer token', { timeout: 60_000 }, () => {
  const authenticate = bearerAuth((token) => (token === 'open-sesame' ? { clientId: 'inspector-user', scopes: [] } : undefined));

  it('over HTTP sends it with --header; without it the server refuses and the Inspector exits 1', async () => {
    const { httpUrl, sessions } = await startInspectedServer({ authenticate });
    const add = ['--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=2', 'b=3'];
    expect(failed(await inspect([httpUrl, '--transport', 'http', ...add]))).toMatch(/Failed to connect to MCP server: .*Unauthorized/);
    expect(succeeded(await inspect([httpUrl, '--transport', 'http', '--header', 'Authorization: Bearer open-sesame', ...add]))).toEqual(text('5'));
    expect(sessions.map((event) => event.authInfo?.clientId)).toEqual(['inspector-user']);
  });

  it('through nexus-mcp connect takes it as the bridge\'s --token; a wrong one ends the bridge and the Inspector exits 1', async () => {
    const { wsUrl, sessions } = await startInspectedServer({ authenticate });
    const add = ['--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=2', 'b=3'];
    expect(failed(await inspect([...nexusConnect(wsUrl, '--token', 'wrong'), ...add]))).toContain('Failed to connect to MCP server: MCP error -32000: Connection closed');
    expect(succeeded(await inspect([...nexusConnect(wsUrl, '--token', 'open-sesame'), ...add]))).toEqual(text('5'));
    expect(sessions.filter((event) => event.type === 'opened').map((event) => event.authInfo?.clientId)).toEqual(['inspector-user']);
  });
});
