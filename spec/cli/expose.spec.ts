/**
 * `nexus-mcp expose` serving a real stdio MCP server built on the official SDK
 * (spec/cli/fixtures/stdio-server.ts): one process per client, never shared, ids untouched, a crash
 * closing only its own client, a cap on processes, an idle timeout.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport as SdkWebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ConnectionClosedError, HttpAuthError, SessionNotFoundError, SimpleMCPClient, type Progress } from '../../src/mcp/index.js';
import type { CallToolResult, JsonObject } from '../../src/protocol/index.js';
import { closeAll, track } from '../support/resources.js';
import { RawClient, unusedPort } from '../support/sockets.js';
import { post } from '../mcp/support/http-requests.js';
import { CliProcess, fixtureCommand, gone, isRunning } from './support/cli-process.js';
import { runInProcess } from './support/in-process.js';

beforeAll(() => {
  // Node 20 has no global WebSocket; the SDK transport needs one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

/** Starts `expose` on a free port with the fixture server; resolves with the process and the URLs it prints. */
async function expose(...options: string[]): Promise<{ cli: CliProcess; url: string; httpUrl: string }> {
  const cli = CliProcess.start(['expose', '--port', '0', ...options, '--', ...fixtureCommand('stdio-server')]);
  const [, url = '', httpUrl = ''] = await cli.stderrLine(/listening on (ws:\/\/\S+) and (http:\/\/\S+?);/);
  return { cli, url, httpUrl };
}

/** What `whoami` says: the pid of the process that answered, and how many times it was asked. */
interface Whoami {
  readonly pid: number;
  readonly calls: number;
}

function whoamiOf(result: object): Whoami {
  const [first] = (result as CallToolResult).content;
  if (first?.type !== 'text') throw new Error('whoami answers text');
  return JSON.parse(first.text) as Whoami;
}

/** A raw WebSocket client speaking JSON-RPC by hand, to see ids and close codes exactly as they are. */
class RawMcp {
  constructor(readonly raw: RawClient) {}

  static async open(url: string): Promise<RawMcp> {
    return new RawMcp(await RawClient.open(url, 'mcp'));
  }

  /** Sends a request and returns the next message (the tests send one request at a time). */
  async request(id: string | number, method: string, params: JsonObject = {}): Promise<JsonObject> {
    this.raw.sendJson({ jsonrpc: '2.0', id, method, params });
    return (await this.raw.next()) as JsonObject;
  }

  async initialize(id: string | number = 1): Promise<JsonObject> {
    const reply = await this.request(id, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    this.raw.sendJson({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return reply;
  }

  async whoami(id: string | number): Promise<Whoami> {
    const reply = await this.request(id, 'tools/call', { name: 'whoami', arguments: {} });
    return whoamiOf(reply['result'] as JsonObject);
  }
}

describe('nexus-mcp expose', () => {
  it('gives each client its own process: SimpleMCPClient and the SDK Client at once', async () => {
    const { cli, url } = await expose();
    const simple = track(new SimpleMCPClient({ url, transport: { reconnect: false, heartbeat: false } }), (c) => c.disconnect());
    const sdk = track(new Client({ name: 'sdk', version: '1.0.0' }), (c) => c.close());
    await Promise.all([simple.connect(), sdk.connect(new SdkWebSocketClientTransport(new URL(url)))]);
    expect(simple.serverInfo).toEqual({ name: 'cli-fixture', version: '1.0.0' });

    const first = whoamiOf(await simple.callTool('whoami'));
    const again = whoamiOf(await simple.callTool('whoami'));
    const other = whoamiOf(await sdk.callTool({ name: 'whoami', arguments: {} }));
    expect(again).toEqual({ pid: first.pid, calls: 2 });
    expect(other.calls).toBe(1);
    expect(other.pid).not.toBe(first.pid);
    expect([first.pid, other.pid].every(isRunning)).toBe(true);
    expect(first.pid).not.toBe(cli.child.pid);

    // Leaving stops that client's process, and only that one.
    await simple.disconnect();
    await gone(first.pid);
    expect(whoamiOf(await sdk.callTool({ name: 'whoami', arguments: {} }))).toEqual({ pid: other.pid, calls: 2 });
  });

  it('passes request ids through untouched: strings stay strings, numbers stay numbers', async () => {
    const { url } = await expose();
    const client = await RawMcp.open(url);
    expect(await client.initialize('abc-1')).toMatchObject({ jsonrpc: '2.0', id: 'abc-1', result: { serverInfo: { name: 'cli-fixture' } } });
    expect(await client.request('xyz-2', 'tools/call', { name: 'echo', arguments: { text: 'hi' } })).toEqual({
      jsonrpc: '2.0',
      id: 'xyz-2',
      result: { content: [{ type: 'text', text: 'hi' }] },
    });
    expect(await client.request(7, 'ping')).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    expect(await client.request('7', 'ping')).toEqual({ jsonrpc: '2.0', id: '7', result: {} });
  });

  it('reports a crashing process to its own client only (1011), and passes its stderr on with a prefix', async () => {
    const { cli, url } = await expose();
    const [crashing, bystander] = await Promise.all([RawMcp.open(url), RawMcp.open(url)]);
    await Promise.all([crashing.initialize(), bystander.initialize()]);
    const doomed = await crashing.whoami(2);
    const survivor = await bystander.whoami(2);

    crashing.raw.sendJson({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'crash', arguments: {} } });
    const closed = await crashing.raw.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).not.toBe('');
    await cli.stderrLine(new RegExp(`^\\[child ${doomed.pid}\\] fixture ${doomed.pid} crashing on purpose$`));

    expect(await bystander.whoami(3)).toEqual({ pid: survivor.pid, calls: 2 });
  });

  it('caps the processes: one client over --max-children is closed with 1013, and its place frees when a client leaves', async () => {
    const { url } = await expose('--max-children', '1');
    const first = await RawMcp.open(url);
    await first.initialize();
    const refused = await RawClient.open(url, 'mcp');
    expect((await refused.closed).code).toBe(1013);
    expect((await first.whoami(2)).calls).toBe(1);

    first.raw.socket.close();
    await first.raw.closed;
    // The slot frees once the server has seen the first client go.
    let admitted: RawMcp | undefined;
    for (let attempt = 0; admitted === undefined && attempt < 50; attempt += 1) {
      const candidate = await RawMcp.open(url);
      const outcome = await candidate.initialize().then(
        () => 'served' as const,
        () => 'refused' as const,
      );
      if (outcome === 'served') admitted = candidate;
    }
    expect(admitted).toBeDefined();
  });

  it('closes an idle client with 1001 and stops its process', async () => {
    const { url } = await expose('--idle-timeout-ms', '300');
    const client = await RawMcp.open(url);
    await client.initialize();
    const { pid } = await client.whoami(2);
    expect((await client.raw.closed).code).toBe(1001);
    await gone(pid);
  });

  it('with --token, serves only clients that present it', async () => {
    const { url } = await expose('--token', 's3cret');
    await expect(RawClient.open(url, 'mcp')).rejects.toThrow(/401/);
    await expect(RawClient.open(url, 'mcp', { headers: { Authorization: 'Bearer wrong' } })).rejects.toThrow(/401/);
    const client = new RawMcp(await RawClient.open(url, 'mcp', { headers: { Authorization: 'Bearer s3cret' } }));
    await client.initialize();
    expect((await client.whoami(2)).calls).toBe(1);
  });

  it('stops every process and exits with 0 on SIGTERM', async () => {
    const { cli, url } = await expose();
    const client = await RawMcp.open(url);
    await client.initialize();
    const { pid } = await client.whoami(2);
    cli.child.kill('SIGTERM');
    expect(await cli.exit()).toEqual({ code: 0, signal: null });
    expect((await client.raw.closed).code).toBe(1001);
    await gone(pid);
  });

  it('exits with 1 when the port is taken or the command cannot be found', async () => {
    const port = String(await unusedPort());
    const { cli } = await expose();
    const [, taken = ''] = /:(\d+)$/.exec((await cli.stderrLine(/listening on (ws:\/\/\S+) and/))[1] ?? '') ?? [];
    const busy = await CliProcess.run(['expose', '--port', taken, '--', ...fixtureCommand('stdio-server')]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(taken);

    const missing = await CliProcess.run(['expose', '--port', port, '--', 'no-such-command-for-nexus-mcp']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-command-for-nexus-mcp');
  });
});

describe('nexus-mcp expose over Streamable HTTP', () => {
  const INITIALIZE = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } };

  it('gives a WebSocket client and an HTTP client their own processes at once, and stops the HTTP one’s on DELETE', async () => {
    const { url, httpUrl } = await expose();
    const overWs = track(new SimpleMCPClient({ url, transport: { reconnect: false, heartbeat: false } }), (c) => c.disconnect());
    const overHttp = track(new Client({ name: 'sdk-http', version: '1.0.0' }), (c) => c.close());
    const httpTransport = new StreamableHTTPClientTransport(new URL(httpUrl));
    await Promise.all([overWs.connect(), overHttp.connect(httpTransport)]);
    expect(overHttp.getServerVersion()).toEqual({ name: 'cli-fixture', version: '1.0.0' });

    const [ws, http] = await Promise.all([overWs.callTool('whoami'), overHttp.callTool({ name: 'whoami', arguments: {} })]);
    const httpAgain = whoamiOf(await overHttp.callTool({ name: 'whoami', arguments: {} }));
    expect(whoamiOf(http).pid).not.toBe(whoamiOf(ws).pid);
    expect(httpAgain).toEqual({ pid: whoamiOf(http).pid, calls: 2 });
    expect(whoamiOf(await overWs.callTool('whoami'))).toEqual({ pid: whoamiOf(ws).pid, calls: 2 });

    await httpTransport.terminateSession();
    await gone(whoamiOf(http).pid);
    expect(whoamiOf(await overWs.callTool('whoami'))).toEqual({ pid: whoamiOf(ws).pid, calls: 3 });
  });

  it('passes request ids through untouched over HTTP: strings stay strings, numbers stay numbers', async () => {
    const { httpUrl } = await expose();
    const opened = await post(httpUrl, { jsonrpc: '2.0', id: 'abc-1', method: 'initialize', params: INITIALIZE });
    expect(opened.json).toMatchObject({ jsonrpc: '2.0', id: 'abc-1', result: { serverInfo: { name: 'cli-fixture' } } });
    const session = { 'mcp-session-id': opened.headers.get('mcp-session-id') ?? '' };
    expect((await post(httpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, session)).status).toBe(202);
    const called = await post(httpUrl, { jsonrpc: '2.0', id: 'xyz-2', method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }, session);
    expect(called.json).toEqual({ jsonrpc: '2.0', id: 'xyz-2', result: { content: [{ type: 'text', text: 'hi' }] } });
    expect((await post(httpUrl, { jsonrpc: '2.0', id: 7, method: 'ping' }, session)).json).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    expect((await post(httpUrl, { jsonrpc: '2.0', id: '7', method: 'ping' }, session)).json).toEqual({ jsonrpc: '2.0', id: '7', result: {} });
  });

  it('ends the HTTP response of a request its client cancels: the process sends nothing for it', async () => {
    const { httpUrl } = await expose();
    const opened = await post(httpUrl, { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE });
    const session = { 'mcp-session-id': opened.headers.get('mcp-session-id') ?? '' };
    await post(httpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const call = post(httpUrl, { jsonrpc: '2.0', id: 'w-1', method: 'tools/call', params: { name: 'wait', arguments: {} } }, session);
    // The call has reached the process once a ping sent after it comes back.
    expect((await post(httpUrl, { jsonrpc: '2.0', id: 'p', method: 'ping' }, session)).status).toBe(200);
    expect((await post(httpUrl, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'w-1' } }, session)).status).toBe(202);
    const answered = await call;
    expect(answered.status).toBe(200);
    expect(answered.text).not.toContain('too late');
  });

  it('delivers a process’s progress over HTTP on its request’s stream, to the SDK client and to SimpleMCPClient', async () => {
    const { httpUrl } = await expose();
    const sdk = track(new Client({ name: 'sdk-http', version: '1.0.0' }), (c) => c.close());
    await sdk.connect(new StreamableHTTPClientTransport(new URL(httpUrl)));
    const sdkProgress: number[] = [];
    const result = await sdk.callTool({ name: 'progress', arguments: { n: 3 } }, undefined, { onprogress: (update) => sdkProgress.push(update.progress) });
    expect(result).toEqual({ content: [{ type: 'text', text: '3 steps' }] });
    expect(sdkProgress).toEqual([1, 2, 3]);

    // On the wire: the POST's own response is an event stream carrying the progress, then the reply.
    const opened = await post(httpUrl, { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE });
    const session = { 'mcp-session-id': opened.headers.get('mcp-session-id') ?? '' };
    await post(httpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const streamed = await post(httpUrl, { jsonrpc: '2.0', id: 'p-1', method: 'tools/call', params: { name: 'progress', arguments: { n: 2 }, _meta: { progressToken: 'tok' } } }, session);
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    const events = streamed.text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as unknown);
    expect(events).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 1, total: 2 } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 2, total: 2 } },
      { jsonrpc: '2.0', id: 'p-1', result: { content: [{ type: 'text', text: '2 steps' }] } },
    ]);

    const simple = track(new SimpleMCPClient({ url: httpUrl }), (c) => c.disconnect());
    await simple.connect();
    const progress: Progress[] = [];
    expect(await simple.callTool('progress', { n: 2 }, { onProgress: (update) => progress.push(update) })).toEqual({ content: [{ type: 'text', text: '2 steps' }] });
    expect(progress).toEqual([
      { progress: 1, total: 2 },
      { progress: 2, total: 2 },
    ]);
  });

  it('ends only its own client’s HTTP session when a process crashes; that client starts afresh with a new process', async () => {
    const { httpUrl } = await expose();
    const [crashing, bystander] = [httpUrl, httpUrl].map((at) => track(new SimpleMCPClient({ url: at }), (c) => c.disconnect()));
    if (!crashing || !bystander) throw new Error('two clients');
    await Promise.all([crashing.connect(), bystander.connect()]);
    const doomed = whoamiOf(await crashing.callTool('whoami'));
    const survivor = whoamiOf(await bystander.callTool('whoami'));

    await expect(crashing.callTool('crash')).rejects.toBeInstanceOf(ConnectionClosedError);
    await gone(doomed.pid);
    await expect(crashing.callTool('whoami')).rejects.toBeInstanceOf(SessionNotFoundError);
    // The call waits for the new session (and its new process) to be ready.
    const fresh = whoamiOf(await crashing.callTool('whoami'));
    expect(fresh.pid).not.toBe(doomed.pid);
    expect(whoamiOf(await bystander.callTool('whoami'))).toEqual({ pid: survivor.pid, calls: 2 });
  });

  // A session closed while it arrives (what --max-children does from a connections$ subscriber) is
  // answered 503 and harms nobody.
  it('caps the processes over HTTP: a session over --max-children gets 503, and the others carry on', async () => {
    const { cli, httpUrl } = await expose('--max-children', '1');
    const first = track(new SimpleMCPClient({ url: httpUrl }), (c) => c.disconnect());
    await first.connect();
    const served = whoamiOf(await first.callTool('whoami'));
    const refused = await post(httpUrl, { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE });
    expect(refused.status).toBe(503);
    expect(whoamiOf(await first.callTool('whoami'))).toEqual({ pid: served.pid, calls: 2 });
    expect(cli.child.exitCode).toBeNull();
  });

  it('with --token, answers HTTP requests without it with 401, which tools reports', async () => {
    const { httpUrl } = await expose('--token', 's3cret');
    const refused = await new SimpleMCPClient({ url: httpUrl }).connect().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpAuthError);
    const wrong = await runInProcess(['tools', httpUrl, '--token', 'wrong']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HTTP 401');
    const right = await runInProcess(['tools', httpUrl, '--token', 's3cret', '--json']);
    expect(right.code).toBe(0);
    expect((JSON.parse(right.stdout) as { name: string }[]).map((tool) => tool.name)).toEqual(['whoami', 'echo', 'progress', 'wait', 'crash']);
  });
});
