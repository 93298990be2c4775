/**
 * MCPServer's Streamable HTTP side, on the same port and path as its WebSocket, over real sockets:
 * the official SDK's Streamable HTTP client, and raw requests where the wire itself is the point
 * (status codes, headers, JSON or server-sent events, sessions, resumption, the upgrade checks).
 */
import http2 from 'node:http2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { MCPServer, type MCPServerOptions, type SessionEvent } from '../../../src/mcp/index.js';
import { bearerAuth } from '../../../src/transport/index.js';
import { closeAll, modernMeta, RawMcpClient, track } from '../support/mcp-fixtures.js';
import { selfSignedCertificate } from '../../support/certificate.js';
import { openEvents, post, postRaw, type EventReader } from '../support/http-requests.js';

afterEach(closeAll);

async function httpServer(options: MCPServerOptions = {}) {
  const server = track(new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 300, ...options }), (s) => s.stop());
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  await server.start();
  const url = server.httpUrl;
  if (url === undefined) throw new Error('an MCPServer serves HTTP by default');
  const sessions: SessionEvent[] = [];
  server.sessions$.subscribe((event) => sessions.push(event));
  return { server, url, sessions };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } },
};

/** Opens a 2025-11-25 session with raw requests; returns its id. */
async function rawSession(url: string, headers: Record<string, string> = {}): Promise<string> {
  const opened = await post(url, INITIALIZE, headers);
  expect(opened.status).toBe(200);
  const id = opened.headers.get('mcp-session-id');
  if (id === null) throw new Error('no session id');
  const initialized = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id, ...headers });
  expect(initialized.status).toBe(202);
  return id;
}

describe('the official SDK client over Streamable HTTP', () => {
  it('initializes, lists and calls tools, and ends its session with DELETE', async () => {
    const { url, sessions } = await httpServer();
    const client = new Client({ name: 'sdk-http', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['add']);
    expect(await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })).toEqual({ content: [{ type: 'text', text: '42' }] });
    await transport.terminateSession();
    await client.close();
    await expect.poll(() => sessions.map((event) => event.type)).toEqual(['opened', 'closed']);
    expect(sessions[0]).toMatchObject({ era: 'legacy', protocolVersion: '2025-11-25', clientInfo: { name: 'sdk-http' } });
  });

  it('serves the same server on WebSocket at the same time, on the same port', async () => {
    const { server, url } = await httpServer();
    const ws = await RawMcpClient.connect(server.url ?? '');
    await ws.initialize();
    const client = track(new Client({ name: 'sdk-http', version: '1.0.0' }), (c) => c.close());
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(new URL(url).port).toBe(new URL(server.url ?? '').port);
    expect((await ws.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }))['result']).toEqual({ content: [{ type: 'text', text: '2' }] });
    expect(await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } })).toEqual({ content: [{ type: 'text', text: '4' }] });
    expect(server.transport.getConnectedClients()).toBe(2);
  });
});

describe('the wire', () => {
  it('answers a request with JSON and a notification with 202, and names the session in a header', async () => {
    const { url } = await httpServer();
    const opened = await post(url, INITIALIZE);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/json');
    expect(opened.json).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-11-25' } });
    const session = opened.headers.get('mcp-session-id') ?? '';
    const notified = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': session });
    expect([notified.status, notified.text]).toEqual([202, '']);
    const called = await post(url, { jsonrpc: '2.0', id: 'two', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } }, { 'mcp-session-id': session });
    expect(called.json).toEqual({ jsonrpc: '2.0', id: 'two', result: { content: [{ type: 'text', text: '3' }] } });
  });

  it.each([
    ['no Accept for event streams', { accept: 'application/json' }, 406],
    ['a body that is not JSON by its type', { 'content-type': 'text/plain' }, 415],
  ])('refuses %s with %d', async (_what, headers, status) => {
    const { url } = await httpServer();
    expect((await post(url, INITIALIZE, headers)).status).toBe(status);
  });

  it('answers bad JSON with 400 and -32700, an unknown session with 404 and -32001, other methods with 405', async () => {
    const { url } = await httpServer();
    const bad = await post(url, '{oops');
    expect([bad.status, (bad.json as { error: { code: number } }).error.code]).toEqual([400, -32700]);
    const unknown = await post(url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': '0'.repeat(32) });
    expect([unknown.status, (unknown.json as { error: { code: number } }).error.code]).toEqual([404, -32001]);
    const put = await fetch(url, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST, DELETE']);
  });

  it('refuses a body over maxMessageSize with 413, and keeps serving', async () => {
    const { url } = await httpServer({ maxMessageSize: 1024 });
    expect((await post(url, { ...INITIALIZE, pad: 'x'.repeat(2048) })).status).toBe(413);
    expect((await post(url, INITIALIZE)).status).toBe(200);
  });

  it('ends the response of a request the client cancels: no result follows, and the response does not hang', async () => {
    const { server, url } = await httpServer();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    server.registerTool('wait', { input: t.type({}) }, (_args, ctx) => {
      started();
      return new Promise<string>((resolve) => ctx.signal.addEventListener('abort', () => resolve('too late')));
    });
    const session = await rawSession(url);
    const headers = { 'mcp-session-id': session };
    const call = post(url, { jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'wait', arguments: {} } }, headers);
    await running;
    const cancelled = await post(url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'w', reason: 'changed my mind' } }, headers);
    expect(cancelled.status).toBe(202);
    const answered = await call;
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toBe('text/event-stream');
    expect(answered.text).not.toContain('too late');
    // The session serves on, the cancelled id free again.
    expect((await post(url, { jsonrpc: '2.0', id: 'w', method: 'ping' }, headers)).json).toEqual({ jsonrpc: '2.0', id: 'w', result: {} });
  });

  it('serves a 2026-07-28 request without a session, and nothing lingers after', async () => {
    const { server, url, sessions } = await httpServer();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'stateless', version: '1' },
    };
    const called = await post(url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'add', arguments: { a: 4, b: 5 }, _meta: meta } });
    expect(called.headers.get('mcp-session-id')).toBeNull();
    expect(called.json).toMatchObject({ id: 9, result: { content: [{ type: 'text', text: '9' }], resultType: 'complete' } });
    await expect.poll(() => server.transport.getConnectedClients()).toBe(0);
    expect(sessions.map((event) => [event.type, event.era])).toEqual([
      ['opened', 'modern'],
      ['closed', 'modern'],
    ]);
  });
});

describe('streams', () => {
  it('tells a session about changes on its GET stream, as numbered server-sent events', async () => {
    const { server, url } = await httpServer();
    const session = await rawSession(url);
    const events = await openEvents(url, { 'mcp-session-id': session });
    server.registerTool('later', { input: t.type({}) }, () => 'hi');
    const event = await events.next();
    expect(event.data).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect(event.id).toMatch(/^standalone_\d+$/);
    const second = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': session } });
    expect(second.status).toBe(409);
    events.close();
  });

  it('replays what a dropped GET stream missed when the client comes back with Last-Event-ID', async () => {
    const { server, url } = await httpServer();
    const session = await rawSession(url);
    const first: EventReader = await openEvents(url, { 'mcp-session-id': session });
    server.registerTool('one', { input: t.type({}) }, () => '1');
    const seen = await first.next();
    // Whether or not the server has noticed the drop yet: every event is logged as it is sent.
    first.close();
    server.registerTool('two', { input: t.type({}) }, () => '2');
    server.registerTool('three', { input: t.type({}) }, () => '3');
    const again = await openEvents(url, { 'mcp-session-id': session, 'last-event-id': seen.id });
    const replayed = [await again.next(), await again.next()];
    expect(replayed.map((event) => event.data)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
    ]);
    expect(replayed.map((event) => Number(event.id.split('_')[1]))).toEqual([Number(seen.id.split('_')[1]) + 1, Number(seen.id.split('_')[1]) + 2]);
    again.close();
  });

  it('ends a session left idle for http.sessionIdleMs, but not one that keeps its GET stream open', async () => {
    const { url, sessions } = await httpServer({ http: { sessionIdleMs: 100 } });
    const listening = await rawSession(url);
    await openEvents(url, { 'mcp-session-id': listening });
    const idle = await rawSession(url);
    await expect.poll(() => sessions.filter((event) => event.type === 'closed').length, { timeout: 5000 }).toBe(1);
    const ping = { jsonrpc: '2.0', id: 9, method: 'ping' };
    expect((await post(url, ping, { 'mcp-session-id': idle })).status).toBe(404);
    // The sweep that ended the idle session saw the other one, older still, and let it be.
    expect((await post(url, ping, { 'mcp-session-id': listening })).status).toBe(200);
  });

  it('serves a 2026-07-28 subscriptions/listen as a POST whose event stream stays open, until the server stops', async () => {
    const { server, url, sessions } = await httpServer();
    const listen = { jsonrpc: '2.0', id: 'l-1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: modernMeta() } };
    const events = await openEvents(url, {}, listen);
    expect((await events.next()).data).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { notifications: { toolsListChanged: true } } });
    server.registerTool('late', { input: t.type({}) }, () => 'late');
    expect((await events.next()).data).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'l-1' } },
    });
    const stopped = server.stop();
    // The listen request's final result ends its stream; no session was ever opened for it.
    expect((await events.next()).data).toMatchObject({ jsonrpc: '2.0', id: 'l-1', result: { resultType: 'complete' } });
    await expect(events.next()).rejects.toThrow('the stream ended');
    await stopped;
    expect(sessions.filter((event) => event.era === 'legacy')).toEqual([]);
  });

  it('ends open streams and sessions when the server stops', async () => {
    const { server, url, sessions } = await httpServer();
    const session = await rawSession(url);
    const events = await openEvents(url, { 'mcp-session-id': session });
    await server.stop();
    await expect(events.next()).rejects.toThrow('the stream ended');
    await expect(events.ended).resolves.toBe(true);
    expect(sessions.map((event) => event.type)).toEqual(['opened', 'closed']);
  });
});

describe('who may use it', () => {
  it('refuses a foreign Origin and Host with 403, as the upgrade does', async () => {
    const { url } = await httpServer();
    expect(await postRaw(url, INITIALIZE, { origin: 'https://evil.example.com' })).toBe(403);
    expect(await postRaw(url, INITIALIZE, { host: 'evil.example.com' })).toBe(403);
    expect(await postRaw(url, INITIALIZE, { origin: `http://${new URL(url).host}` })).toBe(200);
  });

  it('asks every request for credentials, and serves a session only to the principal that opened it', async () => {
    const { url } = await httpServer({ authenticate: bearerAuth((token) => ({ clientId: token, scopes: [] })) });
    expect((await post(url, INITIALIZE)).status).toBe(401);
    const alice = await rawSession(url, { authorization: 'Bearer alice' });
    const asBob = await post(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': alice, authorization: 'Bearer bob' });
    expect(asBob.status).toBe(404);
    const asAlice = await post(url, { jsonrpc: '2.0', id: 3, method: 'ping' }, { 'mcp-session-id': alice, authorization: 'Bearer alice' });
    expect(asAlice.json).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
  });
});

describe('over TLS', () => {
  it('serves Streamable HTTP over HTTP/2 (ALPN h2) and WebSocket over HTTP/1.1 on the same port', async () => {
    const { key, cert } = selfSignedCertificate();
    const { server, url } = await httpServer({ tls: { key, cert } });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const session = http2.connect(url, { ca: cert });
    track(session, (s) => new Promise((resolve) => s.close(() => resolve(undefined))));
    const answer = await new Promise<{ status: number; body: string; alpn: string | false | undefined }>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => resolve({ status, body, alpn: session.alpnProtocol }));
      stream.on('error', reject);
      stream.end(JSON.stringify(INITIALIZE));
    });
    expect(answer.alpn).toBe('h2');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: 1, result: { protocolVersion: '2025-11-25' } });

    const ws = await RawMcpClient.connect(server.url ?? '', 'mcp', { ca: cert });
    expect(await ws.initialize()).toMatchObject({ protocolVersion: '2025-11-25' });
  });
});
