/**
 * SimpleMCPClient over MCP's Streamable HTTP transport, against MCPServer's HTTP side
 * (`server.httpUrl`, the same port as its WebSocket), over real sockets: the handshake and its
 * headers, replies as JSON and as event streams, what arrives on the standalone GET stream, the
 * server's requests answered through the client's handlers, cancellation, timeouts, credentials,
 * HTTP errors, an expired session, and a broken stream resumed with Last-Event-ID.
 */
import * as t from 'io-ts';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  ConnectionClosedError,
  HttpAuthError,
  HttpStatusError,
  McpError,
  RequestTimeoutError,
  SessionNotFoundError,
  SimpleMCPClient,
  type MCPServer,
  type MCPServerOptions,
  type Progress,
  type SessionEvent,
  type SimpleMCPClientOptions,
} from '../../../src/mcp/index.js';
import { bearerAuth } from '../../../src/transport/index.js';
import { closeAll as closeSockets } from '../../support/resources.js';
import { within } from '../../support/sockets.js';
import { recordingFetch, startTcpProxy, type SentRequest } from '../support/http-client-fixtures.js';
import { closeAll, RawMcpClient, startMcpServer, track } from '../support/mcp-fixtures.js';

afterEach(closeAll);
afterEach(closeSockets);

/** A gate a tool waits at until the test opens it. */
function gate(): { readonly passed: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open };
}

function registerTools(server: MCPServer, hold: { passed: Promise<void> } = { passed: Promise.resolve() }): void {
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('steps', { input: t.type({ n: t.number }) }, async ({ n }, ctx) => {
    for (let step = 1; step <= n; step += 1) ctx.progress(step, n, `step ${step}`);
    ctx.log('info', { said: 'working' });
    await hold.passed;
    return `${n} steps`;
  });
  server.registerTool('wait', { input: t.type({}) }, (_args, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))));
  server.registerTool('ask', { input: t.type({}) }, async (_args, ctx) => {
    const sampled = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 });
    const elicited = await ctx.elicit({ message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
    const { roots } = await ctx.listRoots();
    return JSON.stringify({ model: sampled.model, elicited, roots });
  });
  server.registerResource('notes://today', { name: 'today', mimeType: 'text/plain' }, () => 'Buy milk');
}

async function httpServer(options: MCPServerOptions = {}, hold?: { passed: Promise<void> }) {
  const { server } = await startMcpServer(options, (s) => registerTools(s, hold));
  const url = server.httpUrl;
  if (url === undefined) throw new Error('MCPServer serves HTTP by default');
  const sessions: SessionEvent[] = [];
  server.sessions$.subscribe((event) => sessions.push(event));
  return { server, url, sessions };
}

function httpClient(url: string, options: SimpleMCPClientOptions = {}): SimpleMCPClient {
  return track(new SimpleMCPClient({ url, ...options }), (c) => c.disconnect());
}

const textOf = (result: { content: unknown[] }): string => (result.content[0] as { text: string }).text;

describe('SimpleMCPClient over Streamable HTTP', () => {
  it('initializes, then names the session and the negotiated version on every later request, and ends it with DELETE', async () => {
    const { url, sessions } = await httpServer();
    const sent: SentRequest[] = [];
    const client = httpClient(url, { fetch: recordingFetch(sent) });
    const result = await client.connect();
    expect(result.protocolVersion).toBe('2025-11-25');
    expect(client.state).toBe('ready');
    expect(await client.callTool('add', { a: 20, b: 22 })).toEqual({ content: [{ type: 'text', text: '42' }] });
    await client.disconnect();

    const [initialize, ...later] = sent;
    expect(initialize?.headers.get('mcp-session-id')).toBeNull();
    expect(initialize?.headers.get('accept')).toBe('application/json, text/event-stream');
    const session = sessions[0]?.sessionId;
    expect(later.map((request) => request.method)).toEqual(expect.arrayContaining(['POST', 'GET', 'DELETE']));
    expect(later.every((request) => request.headers.get('mcp-protocol-version') === '2025-11-25')).toBe(true);
    const ids = new Set(later.map((request) => request.headers.get('mcp-session-id')));
    expect(ids.size).toBe(1);
    expect(ids.has(null)).toBe(false);
    expect(session).toBeDefined();
    await expect.poll(() => sessions.map((event) => event.type)).toEqual(['opened', 'closed']);
  });

  it('hands progress and log messages from the request stream to the call before its reply', async () => {
    const { url } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    await client.setLogLevel('info');
    const logs: unknown[] = [];
    client.notificationsOf('notifications/message').subscribe((notification) => logs.push(notification.params));
    const progress: Progress[] = [];
    const result = await client.callTool('steps', { n: 3 }, { onProgress: (update) => progress.push(update) });
    expect(textOf(result)).toBe('3 steps');
    expect(progress).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ]);
    expect(logs).toEqual([{ level: 'info', data: { said: 'working' } }]);
  });

  it('answers the server’s sampling, elicitation and roots requests through its handlers', async () => {
    const { url } = await httpServer();
    const client = httpClient(url)
      .onSampling(() => ({ role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'local-model' }))
      .onElicitation(() => ({ action: 'accept', content: { name: 'Grace' } }))
      .onListRoots(() => [{ uri: 'file:///home/ada', name: 'home' }]);
    await client.connect();
    expect(JSON.parse(textOf(await client.callTool('ask')))).toEqual({
      model: 'local-model',
      elicited: { action: 'accept', content: { name: 'Grace' } },
      roots: [{ uri: 'file:///home/ada', name: 'home' }],
    });
  });

  it('receives list changes and resource updates on the standalone GET stream', async () => {
    const { server, url } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    await client.subscribeResource('notes://today');
    const arrived = firstValueFrom(client.notifications$.pipe(take(2), toArray(), within('two notifications')));
    // The GET opens after notifications/initialized; what is sent before it is there is kept for it.
    server.registerTool('later', { input: t.type({}) }, () => 'later');
    server.notifyResourceUpdated('notes://today');
    expect((await arrived).map((notification) => notification.method)).toEqual(['notifications/tools/list_changed', 'notifications/resources/updated']);
  });

  it('cancels: an aborted call rejects with the reason, and the server’s handler is aborted by notifications/cancelled', async () => {
    const { server, url } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    const controller = new AbortController();
    const outcome = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.name === 'wait'), within('the tool call event')));
    const call = client.callTool('wait', {}, { signal: controller.signal });
    await expect.poll(() => server.sessionIds().length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('no longer needed'));
    await expect(call).rejects.toThrow('no longer needed');
    expect((await outcome).outcome).toBe('cancelled');
    // The session goes on.
    expect(textOf(await client.callTool('add', { a: 1, b: 1 }))).toBe('2');
  });

  it('times out a call with RequestTimeoutError and tells the server', async () => {
    const { server, url } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    const outcome = firstValueFrom(server.toolCalls$.pipe(filter((call) => call.name === 'wait'), within('the tool call event')));
    await expect(client.callTool('wait', {}, { timeoutMs: 200 })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect((await outcome).outcome).toBe('cancelled');
  });

  it('fails calls in flight with ConnectionClosedError on disconnect()', async () => {
    const { url, sessions } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    const call = client.callTool('wait').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.disconnect();
    expect(await call).toBeInstanceOf(ConnectionClosedError);
    await expect.poll(() => sessions.map((event) => event.type)).toEqual(['opened', 'closed']);
  });

  it('is served on the same port as WebSocket clients of the same server', async () => {
    const { server, url } = await httpServer();
    const ws = track(new SimpleMCPClient({ url: server.url ?? '', transport: { heartbeat: false } }), (c) => c.disconnect());
    const http = httpClient(url);
    await Promise.all([ws.connect(), http.connect()]);
    expect(new URL(url).port).toBe(new URL(server.url ?? '').port);
    const [overWs, overHttp] = await Promise.all([ws.callTool('add', { a: 1, b: 2 }), http.callTool('add', { a: 3, b: 4 })]);
    expect([textOf(overWs), textOf(overHttp)]).toEqual(['3', '7']);
    expect(server.sessionIds()).toHaveLength(2);
  });
});

describe('credentials and HTTP errors', () => {
  const tokenServer = (): Promise<{ server: MCPServer; url: string }> =>
    httpServer({ authenticate: bearerAuth((token) => (token === 'sesame' ? { clientId: 'ada', scopes: [] } : undefined)) });

  it('sends the transport’s headers on every request: a bearer token opens and keeps the session', async () => {
    const { url } = await tokenServer();
    const client = httpClient(url, { transport: { headers: { Authorization: 'Bearer sesame' } } });
    await client.connect();
    expect(textOf(await client.callTool('add', { a: 2, b: 3 }))).toBe('5');
  });

  it('rejects connect() with HttpAuthError naming the status when the server refuses the credentials', async () => {
    const { url } = await tokenServer();
    const client = httpClient(url, { transport: { headers: { Authorization: 'Bearer wrong' } } });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthError);
    expect((error as HttpAuthError).status).toBe(401);
    expect((error as Error).message).toContain('HTTP 401');
    expect(client.state).toBe('closed');
  });

  it('rejects a call answered with a 4xx and a JSON-RPC error body with that error', async () => {
    const { url } = await httpServer({ maxMessageSize: 4096 });
    const client = httpClient(url);
    await client.connect();
    const error = await client.callTool('add', { a: 1, b: 2, pad: 'x'.repeat(8192) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).not.toBeInstanceOf(ConnectionClosedError);
    expect((error as McpError).message).toMatch(/Payload Too Large/);
    expect(textOf(await client.callTool('add', { a: 1, b: 2 }))).toBe('3');
  });

  it('rejects connect() with ConnectionClosedError naming the cause when nothing listens', async () => {
    const { server, url } = await httpServer();
    await server.stop();
    const error = await httpClient(url).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('an expired session', () => {
  it('fails the call that met the 404 with SessionNotFoundError, initializes a new session once, and carries on', async () => {
    const { server, url, sessions } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    const [first] = server.sessionIds();
    server.transport.closeClient(first ?? '');
    await expect.poll(() => sessions.map((event) => event.type)).toEqual(['opened', 'closed']);

    await expect(client.callTool('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(SessionNotFoundError);
    await firstValueFrom(client.state$.pipe(filter((state) => state === 'ready'), within('ready again')));
    expect(textOf(await client.callTool('add', { a: 2, b: 2 }))).toBe('4');
    expect(sessions.map((event) => event.type)).toEqual(['opened', 'closed', 'opened']);
    expect(server.sessionIds()).not.toContain(first);
  });

  it('reports a failed re-initialization on errors$ and disconnects: it tries once', async () => {
    const { server, url } = await httpServer({ maxClients: 1 });
    const client = httpClient(url);
    await client.connect();
    const reported = firstValueFrom(client.errors$.pipe(within('an error on errors$')));
    server.transport.closeClient(server.sessionIds()[0] ?? '');
    // The place the session held goes to someone else: the new initialize finds the server full.
    const raw = await RawMcpClient.connect(server.url ?? '');
    await raw.initialize();
    await expect(client.ping()).rejects.toBeInstanceOf(SessionNotFoundError);
    const error = await reported;
    if (!(error instanceof HttpStatusError)) throw new Error(`expected an HttpStatusError, got ${String(error)}`);
    expect(error.status).toBeGreaterThanOrEqual(500);
    await expect.poll(() => client.state).toBe('closed');
  });

  it('gets list changes on the new session’s GET stream', async () => {
    const { server, url } = await httpServer();
    const client = httpClient(url);
    await client.connect();
    server.transport.closeClient(server.sessionIds()[0] ?? '');
    await expect(client.ping()).rejects.toBeInstanceOf(SessionNotFoundError);
    await firstValueFrom(client.state$.pipe(filter((state) => state === 'ready'), within('ready again')));
    const changed = firstValueFrom(client.notificationsOf('notifications/tools/list_changed').pipe(within('list_changed')));
    await expect.poll(() => server.sessionIds().length).toBe(1);
    server.registerTool('later', { input: t.type({}) }, () => 'later');
    await changed;
  });
});

describe('a broken event stream', () => {
  it('resumes a request’s stream with Last-Event-ID: the reply sent while the network was down still arrives', async () => {
    const hold = gate();
    const { url } = await httpServer({}, hold);
    const proxy = await startTcpProxy(url);
    const sent: SentRequest[] = [];
    const client = httpClient(proxy.url, { fetch: recordingFetch(sent), transport: { reconnect: { initialDelay: 20, maxDelay: 50 } } });
    await client.connect();
    const progress: Progress[] = [];
    let cut = false;
    const call = client.callTool('steps', { n: 2 }, {
      onProgress: (update) => {
        progress.push(update);
        if (update.progress === 2 && !cut) {
          cut = true;
          proxy.cut();
          setTimeout(hold.open, 50);
        }
      },
    });
    expect(textOf(await call)).toBe('2 steps');
    expect(progress.map((update) => update.progress)).toEqual([1, 2]);
    const resumed = sent.filter((request) => request.headers.get('last-event-id')?.startsWith('r') === true);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]?.method).toBe('GET');
  });

  it('resumes the GET stream with Last-Event-ID: a list change sent while the network was down still arrives', async () => {
    const { server, url } = await httpServer();
    const proxy = await startTcpProxy(url);
    const sent: SentRequest[] = [];
    const client = httpClient(proxy.url, { fetch: recordingFetch(sent), transport: { reconnect: { initialDelay: 20, maxDelay: 50 } } });
    await client.connect();
    const changes = client.notificationsOf('notifications/tools/list_changed');
    const first = firstValueFrom(changes.pipe(within('the first list change')));
    server.registerTool('one', { input: t.type({}) }, () => '1');
    await first;
    const second = firstValueFrom(changes.pipe(within('the list change sent while the network was down')));
    proxy.cut();
    server.registerTool('two', { input: t.type({}) }, () => '2');
    await second;
    const resumed = sent.filter((request) => request.method === 'GET' && request.headers.get('last-event-id') !== null);
    expect(resumed[0]?.headers.get('last-event-id')).toMatch(/^standalone_\d+$/);
  });

  it('fails the call with ConnectionClosedError when resuming is off', async () => {
    const hold = gate();
    const { url } = await httpServer({}, hold);
    const proxy = await startTcpProxy(url);
    const client = httpClient(proxy.url, { transport: { reconnect: false } });
    await client.connect();
    const call = client.callTool('steps', { n: 1 }, { onProgress: () => proxy.cut() });
    const error = await call.catch((e: unknown) => e);
    hold.open();
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/response stream of tools\/call .* reconnection is off/);
  });
});

describe('the server’s requests', () => {
  it('aborts the handler of a server request whose call the client cancelled (its stream is let go)', async () => {
    const { url } = await httpServer();
    const started = gate();
    let aborted: unknown;
    const client = httpClient(url).onSampling(
      (_params, { signal }) =>
        new Promise((_resolve, reject) => {
          started.open();
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(signal.reason as Error);
          });
        }),
    );
    await client.connect();
    const controller = new AbortController();
    const call = client.callTool('ask', {}, { signal: controller.signal }).catch((e: unknown) => e);
    await started.passed;
    controller.abort(new Error('stop asking'));
    await call;
    await expect.poll(() => aborted).toBeInstanceOf(CancelledError);
  });
});

describe('raw WebSocket beside it', () => {
  it('keeps serving a raw WebSocket client while an HTTP client expires and renews its session', async () => {
    const { server, url } = await httpServer();
    const raw = await RawMcpClient.connect(server.url ?? '');
    await raw.initialize();
    const client = httpClient(url);
    await client.connect();
    const httpSession = server.sessionIds().find((id) => server.transport.getClient(id)?.protocol === '');
    server.transport.closeClient(httpSession ?? '');
    await expect(client.ping()).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await raw.request('tools/call', { name: 'add', arguments: { a: 1, b: 2 } }))['result']).toEqual({ content: [{ type: 'text', text: '3' }] });
  });
});
