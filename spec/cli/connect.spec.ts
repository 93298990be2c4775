/**
 * `nexus-mcp connect` as a stdio host drives it: JSON-RPC lines on the process's stdin, replies on
 * its stdout, against a real MCPServer; the server's end of the socket is dropped mid-call, and the
 * host must see neither an error nor a reply twice.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as t from 'io-ts';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer } from '../../src/mcp/index.js';
import type { JsonObject } from '../../src/protocol/index.js';
import { bearerAuth, type ClientConnection } from '../../src/transport/index.js';
import { closeAll as closeMcpFixtures, startMcpServer } from '../mcp/support/mcp-fixtures.js';
import { closeAll, track } from '../support/resources.js';
import { nextValue, serverSocketOf } from '../support/sockets.js';
import { CliProcess, repoRoot } from './support/cli-process.js';

afterEach(async () => {
  await closeAll();
  await closeMcpFixtures();
});

const initialize = (id: string | number): JsonObject => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'stdio-host', version: '1.0.0' } },
});
const initialized: JsonObject = { jsonrpc: '2.0', method: 'notifications/initialized' };
const call = (id: string | number, name: string, args: JsonObject = {}): JsonObject => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** A server with `add`, and `slow`, which answers only once the test opens its gate. */
function gatedServer(server: MCPServer): { readonly started: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  let entered = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const started = new Promise<void>((resolve) => (entered = resolve));
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('slow', { input: t.type({}) }, async () => {
    entered();
    await gate;
    return 'done';
  });
  return {
    started,
    open: () => open(),
  };
}

/** Drops the server's end of the only client's socket without a close handshake. */
function dropTheSocket(server: MCPServer): ClientConnection {
  const [client] = server.transport.getClients();
  if (!client) throw new Error('no client to drop');
  serverSocketOf(client).terminate();
  return client;
}

/** Every id the host received a message for, with how many times. */
function replyCounts(cli: CliProcess): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  cli.messages$.subscribe((message) => counts.set(message['id'], (counts.get(message['id']) ?? 0) + 1)).unsubscribe();
  return counts;
}

describe('nexus-mcp connect', () => {
  it('bridges stdio to MCPServer and rides out a dropped socket: every reply once, no error, ids as sent', async () => {
    let gate: ReturnType<typeof gatedServer> | undefined;
    const { server, url } = await startMcpServer({}, (s) => (gate = gatedServer(s)));
    if (!gate) throw new Error('set up');
    const cli = CliProcess.start(['connect', url]);

    cli.send(initialize('init-1'));
    expect((await cli.reply('init-1'))['result']).toMatchObject({ serverInfo: { name: 'nexus-mcp' } });
    cli.send(initialized);
    cli.send(call('slow-1', 'slow'));
    await gate.started;

    const resumed = nextValue(server.transport.resumptions$, () => true, 'the bridge resuming its session');
    const dropped = dropTheSocket(server);
    // The reply is written while the client is away, and sent while it cannot arrive.
    gate.open();
    cli.send(call(7, 'add', { a: 1, b: 2 }));
    expect((await resumed).clientId).toBe(dropped.id);

    expect(await cli.reply('slow-1')).toEqual({ jsonrpc: '2.0', id: 'slow-1', result: { content: [{ type: 'text', text: 'done' }] } });
    expect(await cli.reply(7)).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: '3' }] } });
    cli.endInput();
    expect(await cli.exit()).toEqual({ code: 0, signal: null });
    expect(Object.fromEntries(replyCounts(cli))).toEqual({ 'init-1': 1, 'slow-1': 1, 7: 1 });
  });

  it('carries the official SDK Client over stdio (StdioClientTransport) through a dropped socket', async () => {
    const { server, url } = await startMcpServer({}, (s) => void gatedServer(s));
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'src/cli/main.ts', 'connect', url, '--quiet'], cwd: repoRoot, stderr: 'pipe' });
    const client = track(new Client({ name: 'sdk-stdio-host', version: '1.0.0' }), (c) => c.close());
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['add', 'slow']);

    const resumed = nextValue(server.transport.resumptions$, () => true, 'the bridge resuming its session');
    dropTheSocket(server);
    const during = client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    await resumed;
    expect(await during).toEqual({ content: [{ type: 'text', text: '42' }] });
    expect(await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).toEqual({ content: [{ type: 'text', text: '2' }] });
    expect(errors).toEqual([]);
  });

  it('when the server cannot resume: the request in flight fails once, and the bridge initializes the new session itself', async () => {
    let gate: ReturnType<typeof gatedServer> | undefined;
    const { server, url } = await startMcpServer({ resume: false }, (s) => (gate = gatedServer(s)));
    if (!gate) throw new Error('set up');
    const initializes: string[] = [];
    server.sessions$.pipe(filter((event) => event.type === 'opened')).subscribe((event) => initializes.push(event.clientInfo?.name ?? '?'));
    const cli = CliProcess.start(['connect', url]);
    cli.send(initialize(1));
    await cli.reply(1);
    cli.send(initialized);
    cli.send(call('lost', 'slow'));
    await gate.started;

    const reconnected = nextValue(server.transport.connections$, () => true, 'the bridge reconnecting');
    dropTheSocket(server);
    await reconnected;
    cli.send(call('after', 'add', { a: 2, b: 3 }));

    expect(await cli.reply('after')).toEqual({ jsonrpc: '2.0', id: 'after', result: { content: [{ type: 'text', text: '5' }] } });
    const lost = await cli.reply('lost');
    expect(lost['error']).toMatchObject({ code: -32000 });
    // The host's handshake, repeated by the bridge under the host's own clientInfo.
    expect(initializes).toEqual(['stdio-host', 'stdio-host']);
    gate.open();
    cli.endInput();
    expect((await cli.exit()).code).toBe(0);
    // Nothing the bridge asked for itself reached the host.
    expect(Object.fromEntries(replyCounts(cli))).toEqual({ 1: 1, lost: 1, after: 1 });
  });

  it('waits for the replies still due when stdin ends, then exits with 0', async () => {
    let gate: ReturnType<typeof gatedServer> | undefined;
    const { url } = await startMcpServer({}, (s) => (gate = gatedServer(s)));
    if (!gate) throw new Error('set up');
    const cli = CliProcess.start(['connect', url, '--quiet']);
    cli.send(initialize(1));
    cli.send(initialized);
    cli.send(call(2, 'slow'));
    cli.endInput();
    await gate.started;
    gate.open();
    expect(await cli.exit()).toEqual({ code: 0, signal: null });
    expect(Object.fromEntries(replyCounts(cli))).toEqual({ 1: 1, 2: 1 });
  });

  it('sends --token as a bearer token and --header as given; a refused token ends it with 1', async () => {
    const { url } = await startMcpServer({
      authenticate: bearerAuth((token, request) => (token === 'secret' && request.headers['x-team'] === 'blue' ? { clientId: 'team-blue', scopes: [] } : undefined)),
    });
    const accepted = CliProcess.start(['connect', url, '--token', 'secret', '--header', 'X-Team: blue']);
    accepted.send(initialize(1));
    expect((await accepted.reply(1))['result']).toBeDefined();
    accepted.endInput();
    expect((await accepted.exit()).code).toBe(0);

    const refused = CliProcess.start(['connect', url, '--token', 'wrong', '--header', 'X-Team: blue']);
    refused.send(initialize(1));
    expect((await refused.exit()).code).toBe(1);
    expect(refused.stderr).toContain(url);
  });

  it('ends with 1 when the server closes the connection for good (1008)', async () => {
    const { server, url } = await startMcpServer();
    const cli = CliProcess.start(['connect', url]);
    cli.send(initialize(1));
    await cli.reply(1);
    const [client] = server.transport.getClients();
    if (!client) throw new Error('connected');
    server.transport.closeClient(client.id, 1008, 'go away');
    expect((await cli.exit()).code).toBe(1);
    expect(cli.stderr).toContain('1008');
  });

  it('answers nothing for a line that is not JSON, says so on stderr, and goes on', async () => {
    const { url } = await startMcpServer();
    const cli = CliProcess.start(['connect', url]);
    cli.child.stdin?.write('this is not json\n');
    cli.send(initialize(1));
    expect((await cli.reply(1))['result']).toBeDefined();
    await cli.stderrLine(/ignored a line from stdin/);
    cli.endInput();
    expect((await cli.exit()).code).toBe(0);
    expect(await firstValueFrom(cli.messages$)).toMatchObject({ id: 1 });
  });
});
