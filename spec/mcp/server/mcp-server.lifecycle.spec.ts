/**
 * The 2025-11-25 lifecycle on the wire: initialize and version negotiation, what is allowed before
 * it, server pings (answered, held, unanswered, to nobody), cancellation, progress, logging, and stop().
 */
import * as t from 'io-ts';
import { filter, firstValueFrom, take, timer, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosedError, RequestTimeoutError, ServerStoppingError, type MCPServer } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

describe('initialize', () => {
  it.each(['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'])('echoes the supported version %s', async (version) => {
    const { url } = await startMcpServer();
    const client = await RawMcpClient.connect(url);
    const result = await client.initialize(version);
    expect(result['protocolVersion']).toBe(version);
  });

  it('answers its latest version when the client asks for one it does not speak, and reports exactly the spec fields', async () => {
    const { url } = await startMcpServer({ name: 'spec-server', version: '1.2.3', title: 'Spec Server', instructions: 'Be kind.' });
    const client = await RawMcpClient.connect(url);
    const response = await client.request('initialize', { protocolVersion: '1999-01-01', capabilities: {}, clientInfo: { name: 'c', version: '1' } }, 1);
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        protocolVersion: '2025-11-25',
        capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
        serverInfo: { name: 'spec-server', version: '1.2.3', title: 'Spec Server' },
        instructions: 'Be kind.',
      },
    });
  });

  it('refuses requests before initialize, but answers ping and server/discover', async () => {
    const { url } = await startMcpServer();
    const client = await RawMcpClient.connect(url);
    const early = await client.request('tools/list', undefined, 'early');
    expect(early).toMatchObject({ id: 'early', error: { code: -32600 } });
    expect((early['error'] as { message: string }).message).toContain('before initialize');
    expect(await client.request('ping', undefined, 'p')).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
    expect((await client.request('server/discover', {}, 'd'))['result']).toMatchObject({ supportedVersions: expect.arrayContaining(['2025-11-25', '2026-07-28']) as unknown });
  });

  it('takes effect before the next frame of the same burst', async () => {
    const { url } = await startMcpServer({}, (server) => server.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }) => text));
    const client = await RawMcpClient.connect(url);
    // Pipelined: the client does not wait for the initialize result.
    client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    client.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
    expect(await client.response(2)).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'hi' }] } });
  });

  it('rejects a second initialize and malformed initialize params, naming the path', async () => {
    const { url } = await startMcpServer();
    const client = await RawMcpClient.connect(url);
    const malformed = await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {} }, 1);
    expect(malformed['error']).toEqual({ code: -32602, message: 'Invalid params for initialize: params.clientInfo: is required (expected an object)' });
    await client.initialize();
    expect(await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } }, 2)).toMatchObject({
      error: { code: -32600, message: 'Invalid request: this connection is already initialized' },
    });
  });

  it('announces sessions with client info on sessions$, and their end', async () => {
    const { url, server } = await startMcpServer();
    const events = firstValueFrom(server.sessions$.pipe(take(2), toArray()));
    const client = await RawMcpClient.connect(url);
    await client.initialize('2025-06-18', { name: 'watched', version: '3.0.0' });
    await client.close();
    const [opened, closed] = await events;
    expect(opened).toMatchObject({ type: 'opened', era: 'legacy', protocolVersion: '2025-06-18', clientInfo: { name: 'watched', version: '3.0.0' } });
    expect(closed).toMatchObject({ type: 'closed', sessionId: opened?.sessionId, clientInfo: { name: 'watched', version: '3.0.0' }, close: { code: 1005 } });
  });
});

/** How long a raw client holds its answer to the server's ping, ms: the test's own delay, a floor for the round trip. */
const HOLD_MS = 50;

/** A server and a raw client past the handshake, with the client's session id. */
async function initializedSession(): Promise<{ server: MCPServer; client: RawMcpClient; sessionId: string }> {
  const { url, server } = await startMcpServer();
  const opened = firstValueFrom(server.sessions$);
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  const { sessionId } = await opened;
  return { server, client, sessionId };
}

/** The server's next ping as the client read it off the socket, and when it did. */
async function nextPing(client: RawMcpClient): Promise<{ id: unknown; frame: JsonObject | undefined; readAt: number }> {
  const { json } = await client.next((frame) => frame.json?.['method'] === 'ping', 'a ping from the server');
  return { id: json?.['id'], frame: json, readAt: Date.now() };
}

describe('ping', () => {
  it('the server pings over the wire and resolves only once the client answers, the round trip covering the wait', async () => {
    const { server, client, sessionId } = await initializedSession();
    let settled = false;
    const rtt = server.ping(sessionId);
    void rtt.then(() => (settled = true), () => (settled = true));
    const ping = await nextPing(client);
    expect(ping.frame).toEqual({ jsonrpc: '2.0', id: expect.any(Number) as unknown, method: 'ping' });
    // The client holds its answer; meanwhile the server answers a ping of the client's, and its own still waits.
    expect(await client.request('ping', undefined, 'meanwhile')).toEqual({ jsonrpc: '2.0', id: 'meanwhile', result: {} });
    await firstValueFrom(timer(HOLD_MS));
    expect(settled).toBe(false);
    const answeredAt = Date.now();
    client.send({ jsonrpc: '2.0', id: ping.id, result: {} });
    expect(await rtt).toBeGreaterThanOrEqual(answeredAt - ping.readAt);
  });

  it('each ping carries an id of its own, and answers are matched by id, not by order', async () => {
    const { server, client, sessionId } = await initializedSession();
    const first = server.ping(sessionId);
    const second = server.ping(sessionId);
    const [a, b] = await firstValueFrom(client.frames$.pipe(filter((frame) => frame.json?.['method'] === 'ping'), take(2), toArray()));
    const [firstId, secondId] = [a?.json?.['id'], b?.json?.['id']];
    expect(firstId).not.toEqual(secondId);
    let firstSettled = false;
    void first.then(() => (firstSettled = true), () => (firstSettled = true));
    client.send({ jsonrpc: '2.0', id: secondId, result: {} });
    await expect(second).resolves.toEqual(expect.any(Number));
    expect(firstSettled).toBe(false);
    client.send({ jsonrpc: '2.0', id: firstId, result: {} });
    await expect(first).resolves.toEqual(expect.any(Number));
  });

  it('a ping the client never answers rejects with RequestTimeoutError after timeoutMs; a late answer harms nothing', async () => {
    const { server, client, sessionId } = await initializedSession();
    const failed = server.ping(sessionId, 100).catch((error: unknown) => error);
    const ping = await nextPing(client);
    const error = await failed;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: -32001, timeoutMs: 100, message: `ping (request ${String(ping.id)}) got no reply within 100 ms` });
    client.send({ jsonrpc: '2.0', id: ping.id, result: {} });
    expect(await client.request('ping', undefined, 'after')).toEqual({ jsonrpc: '2.0', id: 'after', result: {} });
  });

  it('a ping to a session id the server does not know rejects with ConnectionClosedError', async () => {
    const { server } = await initializedSession();
    const error = await server.ping('no-such-session').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: -32000, message: 'No session no-such-session' });
  });

  it('a server ping fails with ConnectionClosedError when the client leaves without answering', async () => {
    const { server, client, sessionId } = await initializedSession();
    const failed = server.ping(sessionId).catch((e: unknown) => e);
    await nextPing(client);
    await client.close();
    const error = await failed;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: -32000, message: 'The client disconnected before answering' });
  });
});

/** A server with a tool that runs until its signal aborts, and tells the test what ended it. */
async function serverWithSlowTool(): Promise<{ server: MCPServer; url: string; started: Promise<void>; abortedWith: Promise<unknown> }> {
  let markStarted!: () => void;
  let markAborted!: (reason: unknown) => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const abortedWith = new Promise<unknown>((resolve) => (markAborted = resolve));
  const { server, url } = await startMcpServer({}, (s) =>
    s.registerTool('slow', { input: t.type({}) }, (_args, ctx) => {
      markStarted();
      return new Promise<string>((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          markAborted(ctx.signal.reason);
          reject(ctx.signal.reason as Error);
        }),
      );
    }),
  );
  return { server, url, started, abortedWith };
}

describe('cancellation', () => {
  it('notifications/cancelled aborts the handler and no reply is sent', async () => {
    const { server, url, started, abortedWith } = await serverWithSlowTool();
    const recorded = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.name === 'slow')));
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 'slow-1', method: 'tools/call', params: { name: 'slow', arguments: {} } });
    await started;
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1', reason: 'changed my mind' } });
    expect(String(await abortedWith)).toContain('changed my mind');
    expect(await recorded).toMatchObject({ name: 'slow', outcome: 'cancelled', requestId: 'slow-1' });
    // The call has settled on the server; one more round trip proves nothing was sent for it.
    await client.request('ping', undefined, 'after');
    expect(client.received.filter((frame) => frame.json?.['id'] === 'slow-1')).toEqual([]);
  });

  it('a handler that ignores its cancellation and answers anyway is recorded as cancelled, and no reply is sent', async () => {
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let answer!: (text: string) => void;
    const { server, url } = await startMcpServer({}, (s) =>
      s.registerTool('stubborn', { input: t.type({}) }, () => {
        markStarted();
        return new Promise<string>((resolve) => (answer = resolve));
      }),
    );
    const recorded = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.name === 'stubborn')));
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 'stubborn-1', method: 'tools/call', params: { name: 'stubborn', arguments: {} } });
    await started;
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'stubborn-1', reason: 'no longer needed' } });
    // A round trip after the cancellation: the server has read it before the handler answers.
    await client.request('ping', undefined, 'before-answer');
    answer('done regardless');
    expect(await recorded).toMatchObject({ name: 'stubborn', outcome: 'cancelled', requestId: 'stubborn-1' });
    await client.request('ping', undefined, 'after-answer');
    expect(client.received.filter((frame) => frame.json?.['id'] === 'stubborn-1')).toEqual([]);
  });

  it('ignores cancellations of unknown ids, of initialize, and malformed ones', async () => {
    const { url } = await startMcpServer();
    const client = await RawMcpClient.connect(url);
    client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999 } });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: null } });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled' });
    expect((await client.response(1))['result']).toMatchObject({ protocolVersion: '2025-11-25' });
    expect(await client.request('ping', undefined, 2)).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
  });

  it('stop() aborts in-flight handlers with ServerStoppingError, answers them, then closes with 1001', async () => {
    const { server, url, started, abortedWith } = await serverWithSlowTool();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: {} } });
    await started;
    await server.stop();
    expect(await abortedWith).toBeInstanceOf(ServerStoppingError);
    expect(await client.response(7)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: { content: [{ type: 'text', text: 'Tool "slow" was cancelled: The server is stopping' }], isError: true },
    });
    expect((await client.closed).code).toBe(1001);
  });

  it('a disconnect aborts the handlers of that connection', async () => {
    const { url, started, abortedWith } = await serverWithSlowTool();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: {} } });
    await started;
    await client.close();
    expect(String(await abortedWith)).toContain('disconnected');
  });

  it('refuses a request whose id is already in flight', async () => {
    const { url, started } = await serverWithSlowTool();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow', arguments: {} } });
    await started;
    expect(await client.request('ping', undefined, 5)).toMatchObject({ id: 5, error: { code: -32600 } });
  });
});

describe('progress', () => {
  async function progressServer(): Promise<string> {
    const { url } = await startMcpServer({}, (server) =>
      server.registerTool('steps', { input: t.type({}) }, (_args, ctx) => {
        const sent = [ctx.progress(1, 3), ctx.progress(1, 3), ctx.progress(0.5), ctx.progress(2, 3, 'almost'), ctx.progress(3, 3)];
        return JSON.stringify(sent);
      }),
    );
    return url;
  }

  it("is sent with the caller's token, and only while increasing", async () => {
    const client = await RawMcpClient.connect(await progressServer());
    await client.initialize();
    const response = await client.request('tools/call', { name: 'steps', arguments: {}, _meta: { progressToken: 'tok' } }, 1);
    expect(response['result']).toEqual({ content: [{ type: 'text', text: '[true,false,false,true,true]' }] });
    const progress = client.received.filter((frame) => frame.json?.['method'] === 'notifications/progress').map((frame) => frame.json?.['params']);
    expect(progress).toEqual([
      { progressToken: 'tok', progress: 1, total: 3 },
      { progressToken: 'tok', progress: 2, total: 3, message: 'almost' },
      { progressToken: 'tok', progress: 3, total: 3 },
    ]);
  });

  it('is not sent when the request carried no progress token', async () => {
    const client = await RawMcpClient.connect(await progressServer());
    await client.initialize();
    const response = await client.request('tools/call', { name: 'steps', arguments: {} }, 1);
    expect(response['result']).toEqual({ content: [{ type: 'text', text: '[false,false,false,false,false]' }] });
    expect(client.received.some((frame) => frame.json?.['method'] === 'notifications/progress')).toBe(false);
  });
});

describe('logging', () => {
  async function loggingClient(): Promise<RawMcpClient> {
    const { url } = await startMcpServer({}, (server) =>
      server.registerTool('chatty', { input: t.type({}) }, (_args, ctx) => {
        ctx.log('debug', 'd');
        ctx.log('info', { n: 1 }, 'app');
        ctx.log('error', 'e');
        return 'ok';
      }),
    );
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    return client;
  }

  const messages = (client: RawMcpClient): unknown[] =>
    client.received.filter((frame) => frame.json?.['method'] === 'notifications/message').map((frame) => frame.json?.['params']);

  it('sends every level until the client sets one', async () => {
    const client = await loggingClient();
    await client.request('tools/call', { name: 'chatty', arguments: {} });
    expect(messages(client)).toEqual([
      { level: 'debug', data: 'd' },
      { level: 'info', logger: 'app', data: { n: 1 } },
      { level: 'error', data: 'e' },
    ]);
  });

  it('honours logging/setLevel, and rejects an unknown level naming the path', async () => {
    const client = await loggingClient();
    expect(await client.request('logging/setLevel', { level: 'info' }, 1)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    await client.request('tools/call', { name: 'chatty', arguments: {} });
    expect(messages(client)).toEqual([
      { level: 'info', logger: 'app', data: { n: 1 } },
      { level: 'error', data: 'e' },
    ]);
    const invalid = await client.request('logging/setLevel', { level: 'loud' }, 2);
    expect(invalid['error']).toMatchObject({ code: -32602 });
    expect((invalid['error'] as { message: string }).message).toContain('params.level: expected one of "debug"');
  });
});
