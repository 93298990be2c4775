/** SimpleMCPClient against MCPServer over real sockets. */
import * as t from 'io-ts';
import { filter, firstValueFrom, fromEvent, race, take, timer, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  McpError,
  RequestTimeoutError,
  SimpleMCPClient,
  type MCPServer,
  type Progress,
  type SimpleMCPClientOptions,
} from '../../../src/mcp/index.js';
import { CloseCode, WebSocketServerTransport } from '../../../src/transport/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll as closeSockets } from '../../support/resources.js';
import { RawServer, type RawClient } from '../../support/sockets.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

afterEach(closeAll);
afterEach(closeSockets);

function setup(server: MCPServer): void {
  server.registerTool('add', { description: 'Adds', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('sleep', { input: t.type({ ms: t.number, label: t.string }) }, async ({ ms, label }, ctx) => {
    await firstValueFrom(race(timer(ms), fromEvent(ctx.signal, 'abort')));
    if (ctx.signal.aborted) throw ctx.signal.reason as Error;
    return label;
  });
  server.registerTool('steps', { input: t.type({ n: t.Int }) }, async ({ n }, ctx) => {
    for (let i = 1; i <= n; i += 1) {
      ctx.progress(i, n, `step ${i}`);
      await Promise.resolve();
    }
    return 'done';
  });
  server.registerResource('memo://m', { name: 'm', mimeType: 'text/plain' }, () => 'memo');
  server.registerResourceTemplate('greeting://{name}', { name: 'greeting' }, (_uri, { name }) => `hello ${name ?? ''}`);
  server.registerPrompt('ask', { description: 'Asks', args: t.type({ topic: t.string }) }, ({ topic }) => `Tell me about ${topic}`);
}

/** Starts a server plus a client connected to it (fast reconnect timings). */
async function connected(options: SimpleMCPClientOptions = {}, serverOptions: Parameters<typeof startMcpServer>[0] = {}) {
  const { server, port, url } = await startMcpServer({ name: 'client-spec', version: '1.0.0', instructions: 'hi', ...serverOptions }, setup);
  const client = track(
    new SimpleMCPClient({
      port,
      host: '127.0.0.1',
      clientInfo: { name: 'simple-spec', version: '0.0.1' },
      transport: { heartbeat: false, reconnect: { initialDelay: 10, maxDelay: 50, maxRetries: 20 } },
      ...options,
    }),
    (c) => c.disconnect(),
  );
  const initialized = await client.connect();
  return { server, client, initialized, url };
}

/** How long a hand-played server holds its answer to a ping, ms: the test's own delay, a floor for the round trip. */
const HOLD_MS = 50;

/**
 * A client connected to a plain ws server that plays MCP by hand (for answers the test times, or
 * never gives): it has answered `initialize` and read `notifications/initialized`.
 */
async function clientOfRawServer(
  reconnect: NonNullable<SimpleMCPClientOptions['transport']>['reconnect'] = false,
): Promise<{ client: SimpleMCPClient; peer: RawClient; raw: RawServer }> {
  const raw = await RawServer.start({ handleProtocols: (offered) => (offered.has('mcp') ? 'mcp' : false) });
  const client = track(new SimpleMCPClient({ url: raw.url, resume: false, transport: { heartbeat: false, reconnect } }), (c) => c.disconnect());
  const connecting = client.connect();
  const peer = await raw.nextConnection();
  await answerHandshake(peer);
  await connecting;
  return { client, peer, raw };
}

/** Plays the server's part of the handshake on a connection, answering `initialize` after `delayMs`. */
async function answerHandshake(peer: RawClient, delayMs = 0): Promise<void> {
  const initialize = (await peer.next()) as JsonObject;
  expect(initialize).toMatchObject({ jsonrpc: '2.0', method: 'initialize' });
  if (delayMs > 0) await firstValueFrom(timer(delayMs));
  peer.sendJson({ jsonrpc: '2.0', id: initialize['id'], result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'by-hand', version: '0' } } });
  expect(await peer.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

describe('SimpleMCPClient', () => {
  it('connects with the handshake and exposes what the server said', async () => {
    const { client, initialized } = await connected();
    expect(initialized).toEqual({
      protocolVersion: '2025-11-25',
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
      serverInfo: { name: 'client-spec', version: '1.0.0' },
      instructions: 'hi',
    });
    expect(client.state).toBe('ready');
    expect(client.serverInfo).toEqual({ name: 'client-spec', version: '1.0.0' });
    expect(client.instructions).toBe('hi');
    expect(await client.connect()).toBe(initialized); // idempotent
  });

  it('follows cursors through every page of tools', async () => {
    const { client, server } = await connected({}, { pageSize: 2 });
    for (const name of ['t1', 't2', 't3']) server.registerTool(name, { input: t.type({}) }, () => name);
    const tools = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['add', 'sleep', 'steps', 't1', 't2', 't3']);
  });

  it('calls tools: results, isError results, and McpError for protocol errors', async () => {
    const { client } = await connected();
    expect(await client.callTool('add', { a: 1, b: 2 })).toEqual({ content: [{ type: 'text', text: '3' }] });
    expect(await client.callTool('add', { a: 1 })).toMatchObject({ isError: true });
    const error = await client.callTool('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: -32602, message: 'Unknown tool', data: { name: 'nope' } });
  });

  it('correlates replies by id, not by order', async () => {
    const { client } = await connected();
    const slow = client.callTool('sleep', { ms: 60, label: 'slow' });
    const fast = client.callTool('sleep', { ms: 1, label: 'fast' });
    const order: string[] = [];
    await Promise.all([slow.then(() => order.push('slow')), fast.then(() => order.push('fast'))]);
    expect(order).toEqual(['fast', 'slow']);
    expect((await slow).content).toEqual([{ type: 'text', text: 'slow' }]);
    expect((await fast).content).toEqual([{ type: 'text', text: 'fast' }]);
  });

  it('reports progress through onProgress', async () => {
    const { client } = await connected();
    const updates: Progress[] = [];
    await client.callTool('steps', { n: 3 }, { onProgress: (progress) => updates.push(progress) });
    expect(updates).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ]);
  });

  it('aborts a call with its signal: rejects with the reason and cancels it on the server', async () => {
    const { client, server } = await connected();
    const cancelled = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.outcome === 'cancelled')));
    const controller = new AbortController();
    const call = client.callTool('sleep', { ms: 200, label: 'never' }, { signal: controller.signal });
    await firstValueFrom(timer(20));
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toThrow('user gave up');
    expect(await cancelled).toMatchObject({ name: 'sleep', outcome: 'cancelled' });
    // A signal aborted before the call never sends it.
    await expect(client.callTool('add', { a: 1, b: 1 }, { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
  });

  it('times out with RequestTimeoutError and cancels the call on the server', async () => {
    const { client, server } = await connected();
    const cancelled = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.outcome === 'cancelled')));
    const error = await client.callTool('sleep', { ms: 300, label: 'late' }, { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: -32001 });
    expect(await cancelled).toMatchObject({ name: 'sleep' });
  });

  it('reads resources and prompts, and sets the log level', async () => {
    const { client } = await connected();
    expect(await client.listResources()).toEqual([{ uri: 'memo://m', name: 'm', mimeType: 'text/plain' }]);
    expect(await client.listResourceTemplates()).toEqual([{ uriTemplate: 'greeting://{name}', name: 'greeting' }]);
    expect(await client.readResource('greeting://ada')).toEqual({ contents: [{ uri: 'greeting://ada', text: 'hello ada' }] });
    expect(await client.listPrompts()).toEqual([{ name: 'ask', description: 'Asks', arguments: [{ name: 'topic', required: true }] }]);
    expect(await client.getPrompt('ask', { topic: 'otters' })).toEqual({ description: 'Asks', messages: [{ role: 'user', content: { type: 'text', text: 'Tell me about otters' } }] });
    await expect(client.setLogLevel('error')).resolves.toBeUndefined();
    await expect(client.readResource('nowhere://x')).rejects.toMatchObject({ code: -32002 });
  });

  it('streams notifications: list_changed and resources/updated', async () => {
    const { client, server } = await connected();
    const methods = firstValueFrom(client.notifications$.pipe(take(2), toArray()));
    await client.subscribeResource('memo://m');
    server.registerTool('fresh', { input: t.type({}) }, () => 'fresh');
    server.notifyResourceUpdated('memo://m');
    expect((await methods).map((notification) => notification.method)).toEqual(['notifications/tools/list_changed', 'notifications/resources/updated']);
  });

  it('pings MCPServer and answers its pings: each request crosses the wire and its answer comes back under its id', async () => {
    const { client, server } = await connected();
    const seen: JsonObject[] = [];
    server.transport.messages$.subscribe(({ message }) => {
      // Requests and responses: notifications/initialized may still be on its way.
      if ('id' in message) seen.push(message);
    });
    await expect(client.ping()).resolves.toEqual(expect.any(Number));
    const [sessionId] = server.sessionIds();
    await expect(server.ping(sessionId ?? '')).resolves.toEqual(expect.any(Number));
    // What the server read: the client's ping, then the client's answer to the server's.
    expect(seen).toEqual([
      { jsonrpc: '2.0', id: expect.any(Number) as unknown, method: 'ping' },
      { jsonrpc: '2.0', id: expect.any(Number) as unknown, result: {} },
    ]);
  });

  it('after a dropped connection: in-flight calls fail clearly, the client re-initializes, new calls work', async () => {
    const { client, server } = await connected();
    const reopened = firstValueFrom(server.sessions$.pipe(filter((event) => event.type === 'opened')));
    const inFlight = client.callTool('sleep', { ms: 500, label: 'lost' });
    await firstValueFrom(timer(20));
    for (const connection of server.transport.getClients()) connection.close(CloseCode.ServiceRestart, 'restarting');
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain('may or may not have run');
    expect(await reopened).toMatchObject({ type: 'opened', clientInfo: { name: 'simple-spec', version: '0.0.1' } });
    expect(await client.callTool('add', { a: 2, b: 2 })).toEqual({ content: [{ type: 'text', text: '4' }] });
    expect(client.state).toBe('ready');
  });

  it('with resume: false, an abrupt drop (no close handshake) starts a fresh MCP session, not a transport-level resumption', async () => {
    const { client, server } = await connected({ resume: false });
    const sessions = firstValueFrom(server.sessions$.pipe(take(2), toArray()));
    for (const connection of server.transport.getClients()) connection.terminate();
    const [closed, reopened] = await sessions;
    expect(closed).toMatchObject({ type: 'closed', close: { code: 1006 } });
    expect(reopened).toMatchObject({ type: 'opened', era: 'legacy' });
    expect(reopened?.sessionId).not.toBe(closed?.sessionId);
    expect(await client.callTool('add', { a: 1, b: 2 })).toEqual({ content: [{ type: 'text', text: '3' }] });
  });

  it('a call made while reconnecting waits for the new session', async () => {
    const { client, server } = await connected();
    const reconnecting = firstValueFrom(client.state$.pipe(filter((state) => state === 'reconnecting')));
    for (const connection of server.transport.getClients()) connection.close(CloseCode.ServiceRestart);
    await reconnecting;
    expect(await client.callTool('add', { a: 5, b: 5 })).toEqual({ content: [{ type: 'text', text: '10' }] });
  });

  it('disconnect(): in-flight calls fail, later calls and connect() reject, streams complete', async () => {
    const { client } = await connected();
    const done = firstValueFrom(client.notifications$, { defaultValue: 'completed' });
    const inFlight = client.callTool('sleep', { ms: 500, label: 'x' }).catch((error: unknown) => error);
    await client.disconnect();
    expect(await inFlight).toBeInstanceOf(ConnectionClosedError);
    await expect(client.callTool('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(client.connect()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await done).toBe('completed');
    expect(client.state).toBe('closed');
  });

  it('calling before connect() fails clearly', async () => {
    const client = new SimpleMCPClient({ port: 1 });
    await expect(client.listTools()).rejects.toThrow('call connect()');
  });

  it('connect() rejects when nothing listens (reconnect disabled)', async () => {
    const client = track(new SimpleMCPClient({ url: 'ws://127.0.0.1:1', transport: { reconnect: false, heartbeat: false } }), (c) => c.disconnect());
    await expect(client.connect()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('connect() rejects a server that answers a version the client does not speak', async () => {
    const fake = track(
      new WebSocketServerTransport({
        host: '127.0.0.1',
        port: 0,
        heartbeat: false,
        logger: false,
        messageHandler: (message) =>
          message['method'] === 'initialize'
            ? { jsonrpc: '2.0', id: message['id'] as number, result: { protocolVersion: '1999-01-01', capabilities: {}, serverInfo: { name: 'old', version: '0' } } }
            : undefined,
      }),
      (s) => s.stop(),
    );
    await fake.start();
    const client = track(new SimpleMCPClient({ url: fake.url ?? '', transport: { reconnect: false, heartbeat: false } }), (c) => c.disconnect());
    await expect(client.connect()).rejects.toThrow('1999-01-01');
    expect(client.state).toBe('closed');
  });

  describe('ping, against a server played by hand', () => {
    it('ping() sends a ping request and resolves only once the answer arrives, the round trip covering the wait', async () => {
      const { client, peer } = await clientOfRawServer();
      let settled = false;
      const rtt = client.ping();
      void rtt.then(() => (settled = true), () => (settled = true));
      const ping = (await peer.next()) as JsonObject;
      const readAt = Date.now();
      expect(ping).toEqual({ jsonrpc: '2.0', id: expect.any(Number) as unknown, method: 'ping' });
      await firstValueFrom(timer(HOLD_MS));
      expect(settled).toBe(false);
      const answeredAt = Date.now();
      peer.sendJson({ jsonrpc: '2.0', id: ping['id'], result: {} });
      expect(await rtt).toBeGreaterThanOrEqual(answeredAt - readAt);
    });

    it('ping() to a server that never answers rejects with RequestTimeoutError and sends notifications/cancelled', async () => {
      const { client, peer } = await clientOfRawServer();
      const failed = client.ping({ timeoutMs: 100 }).catch((error: unknown) => error);
      const ping = (await peer.next()) as JsonObject;
      expect(ping).toMatchObject({ method: 'ping' });
      const error = await failed;
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ code: -32001, timeoutMs: 100 });
      expect(await peer.next()).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: ping['id'], reason: 'Request timed out after 100 ms' },
      });
    });

    it('a timeout names the time the caller set, also when part of it went on waiting for a new session', async () => {
      const { client, peer, raw } = await clientOfRawServer({ initialDelay: 10, maxDelay: 10 });
      const reconnecting = firstValueFrom(client.state$.pipe(filter((state) => state === 'reconnecting')));
      peer.socket.close(CloseCode.ServiceRestart);
      await reconnecting;
      const failed = client.ping({ timeoutMs: 500 }).catch((error: unknown) => error);
      const next = await raw.nextConnection();
      // The new session is late: some of the ping's 500 ms go by before it is sent.
      await answerHandshake(next, HOLD_MS);
      const ping = (await next.next()) as JsonObject;
      expect(ping).toMatchObject({ method: 'ping' });
      const error = await failed;
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ code: -32001, timeoutMs: 500, message: `ping (request ${String(ping['id'])}) got no reply within 500 ms` });
      expect(await next.next()).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: ping['id'], reason: 'Request timed out after 500 ms' },
      });
    });

    it("answers the server's ping with an empty result under its id, and -32601 to any other server request", async () => {
      const { peer } = await clientOfRawServer();
      peer.sendJson({ jsonrpc: '2.0', id: 'server-ping', method: 'ping' });
      expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 'server-ping', result: {} });
      peer.sendJson({ jsonrpc: '2.0', id: 7, method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } });
      expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32601, message: 'Method not found', data: { method: 'sampling/createMessage' } } });
    });
  });

  describe('with useTransport: false (plain ws)', () => {
    it('speaks the same MCP', async () => {
      const { client } = await connected({ useTransport: false });
      expect(await client.callTool('add', { a: 20, b: 22 })).toEqual({ content: [{ type: 'text', text: '42' }] });
      expect((await client.listTools()).length).toBe(3);
    });

    it('does not reconnect: a dropped connection closes the client and fails calls', async () => {
      const { client, server } = await connected({ useTransport: false });
      const closed = firstValueFrom(client.state$.pipe(filter((state) => state === 'closed')));
      const inFlight = client.callTool('sleep', { ms: 500, label: 'x' });
      await firstValueFrom(timer(20));
      for (const connection of server.transport.getClients()) connection.close(CloseCode.ServiceRestart);
      await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);
      await closed;
      await expect(client.ping()).rejects.toBeInstanceOf(ConnectionClosedError);
    });
  });
});
