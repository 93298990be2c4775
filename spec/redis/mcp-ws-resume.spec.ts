/**
 * A WebSocket MCP client that resumes its transport session on another node keeps its MCP session
 * there: two MCPServers on a redis-server of the test's own, joined by RedisBus, with redisSessions
 * (cross-node resumption) and a RedisMcpSessionStore. The client speaks raw JSON-RPC over ws and
 * resumes as the transport's wire format says (`nexus-session: <token>:<received>`).
 */
import * as t from 'io-ts';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/protocol/index.js';
import { SimpleMCPClient } from '../../src/mcp/index.js';
import { RedisBus, RedisMcpSessionStore, redisSessions } from '../../src/redis/index.js';
import { RoundRobinBalancer } from '../cluster/support/round-robin-balancer.js';
import { closeAll as closeServers, RawMcpClient, startMcpServer, type Frame } from '../mcp/support/mcp-fixtures.js';
import { until } from '../mcp/support/shared-session-specs.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll as closeSupport, track } from '../support/resources.js';
import { probe } from './bus-support.js';

afterEach(async () => {
  await closeServers();
  await closeSupport();
});

/** A node whose every Redis connection (bus, resumption, MCP store) `kill()` drops without a goodbye. */
async function mcpNode(redis: RedisServer, nodeId: string, withStore: boolean) {
  const connections: Redis[] = [];
  const connect = (options: object = {}): Redis => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 1, ...options });
    connection.on('error', () => undefined);
    connections.push(connection);
    return track(connection, (c) => c.disconnect());
  };
  const bus = new RedisBus({ nodeId, leaseMs: 1000, connect: (needed) => connect(needed) });
  const shared = redisSessions({ redis: connect() });
  const store = withStore ? new RedisMcpSessionStore({ redis: connect({ commandTimeout: 1000 }) }) : undefined;
  const { server, url } = await startMcpServer(
    { cluster: bus, resume: { shared, liveCheckMs: 300 }, ...(store ? { sessions: { store, ttlMs: 60_000 } } : {}) },
    (s) => {
      s.registerTool('add', { description: 'adds', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
      s.registerResource('note://a', { name: 'a' }, () => 'a');
    },
  );
  const errors: string[] = [];
  server.errors$.subscribe((event) => errors.push(event.context));
  const kill = (): void => {
    for (const connection of connections) connection.disconnect();
  };
  return { server, url, errors, kill };
}

async function twoNodes(withStore = true) {
  const redis = await RedisServer.start();
  return { redis, a: await mcpNode(redis, 'a', withStore), b: await mcpNode(redis, 'b', withStore) };
}

/** A raw MCP client on one connection with a resumable transport session, and how to resume it elsewhere. */
class ResumingClient {
  private constructor(
    readonly raw: RawMcpClient,
    readonly session: JsonObject,
  ) {}

  static async open(url: string, ask = 'new'): Promise<ResumingClient> {
    const raw = await RawMcpClient.connect(url, 'mcp', { headers: { 'nexus-session': ask } });
    const frame = await raw.next((f) => typeof f.json?.['session'] === 'string', 'the session frame');
    return new ResumingClient(raw, frame.json as JsonObject);
  }

  /** Frames of the session after its session frames: what the resume says was received. */
  get received(): number {
    return this.raw.received.filter((f) => typeof f.json?.['session'] !== 'string').length;
  }

  /** Drops the connection without a close frame, then resumes on `url`. */
  async resumeOn(url: string): Promise<ResumingClient> {
    const received = this.received;
    this.raw.socket.terminate();
    await this.raw.closed;
    return ResumingClient.open(url, `${String(this.session['session'])}:${received}`);
  }

  ofMethod(method: string): Frame[] {
    return this.raw.received.filter((f) => f.json?.['method'] === method);
  }
}

/** initialize, initialized, a subscription and a log level; returns the client id the node gave it. */
async function setUp(client: ResumingClient, server: { sessionIds(): string[] }): Promise<string> {
  await client.raw.initialize();
  expect(await client.raw.request('resources/subscribe', { uri: 'note://a' })).toMatchObject({ result: {} });
  expect(await client.raw.request('logging/setLevel', { level: 'warning' })).toMatchObject({ result: {} });
  const [id] = server.sessionIds();
  if (id === undefined) throw new Error('no session on the node');
  return id;
}

const addCall = (id: number): JsonObject => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: id } } });

describe('MCP over WebSocket resumed on another node', () => {
  it('keeps its MCP session when its node died: calls without a new initialize, its subscription live', async () => {
    const { redis, a, b } = await twoNodes();
    const client = await ResumingClient.open(a.url);
    const id = await setUp(client, a.server);
    const look = probe(redis);
    const key = `nexus:mcp:session:ws:${id}`;
    expect(JSON.parse((await look.get(key)) ?? 'null')).toEqual({
      protocolVersion: '2025-11-25',
      clientInfo: { name: 'raw-spec-client', version: '1.0.0' },
      clientCapabilities: {},
      initialized: true,
      resourceSubscriptions: ['note://a'],
      logLevel: 'warning',
      holder: 'a',
    });

    a.kill();
    const resumed = await client.resumeOn(b.url);
    expect(resumed.session).toMatchObject({ resumed: true });
    // Sent at once, while b may still be loading the state: answered in order, without initialize.
    resumed.raw.send(addCall(1));
    resumed.raw.send(addCall(2));
    expect(await resumed.raw.response(1)).toMatchObject({ result: { content: [{ type: 'text', text: '3' }] } });
    expect(await resumed.raw.response(2)).toMatchObject({ result: { content: [{ type: 'text', text: '4' }] } });
    const answers = resumed.raw.received.filter((f) => f.json?.['id'] === 1 || f.json?.['id'] === 2).map((f) => f.json?.['id']);
    expect(answers).toEqual([1, 2]);
    expect(b.server.sessionIds()).toEqual([id]);
    expect(JSON.parse((await look.get(key)) ?? 'null')).toMatchObject({ holder: 'b', logLevel: 'warning' });

    b.server.notifyResourceUpdated('note://a');
    await resumed.raw.notification('notifications/resources/updated');
    b.server.registerTool('late', { description: 'late', input: t.type({}) }, () => 'late');
    await resumed.raw.notification('notifications/tools/list_changed');
    expect(resumed.ofMethod('notifications/resources/updated')).toHaveLength(1);

    await resumed.raw.close();
    await until(async () => (await look.exists(key)) === 0, 'the state deleted once the client left for good');
  });

  it('keeps it when a live node lets the session go: updates raised on either node arrive once, the state stays until the client leaves', async () => {
    const { redis, a, b } = await twoNodes();
    const client = await ResumingClient.open(a.url);
    const id = await setUp(client, a.server);
    const look = probe(redis);
    const key = `nexus:mcp:session:ws:${id}`;
    const leftA = new Promise<{ code: number; reason: string }>((resolve) => a.server.transport.disconnections$.subscribe(resolve));

    const resumed = await client.resumeOn(b.url);
    expect(resumed.session).toMatchObject({ resumed: true });
    expect(await leftA).toMatchObject({ code: 1001, reason: 'Session resumed on another node' });
    expect(await resumed.raw.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({ result: { content: [{ text: '2' }] } });
    // a's departure (1001, resumed elsewhere) left the state where b holds it.
    expect(JSON.parse((await look.get(key)) ?? 'null')).toMatchObject({ holder: 'b', resourceSubscriptions: ['note://a'] });

    a.server.notifyResourceUpdated('note://a');
    await resumed.raw.notification('notifications/resources/updated');
    b.server.notifyResourceUpdated('note://a');
    await resumed.raw.notification('notifications/resources/updated', 1);
    // A marker after both: nothing else came meanwhile.
    a.server.registerTool('marker', { description: 'marker', input: t.type({}) }, () => 'marker');
    await resumed.raw.notification('notifications/tools/list_changed');
    expect(resumed.ofMethod('notifications/resources/updated')).toHaveLength(2);
    expect(resumed.ofMethod('notifications/tools/list_changed')).toHaveLength(1);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);

    await resumed.raw.close();
    await until(async () => (await look.exists(key)) === 0, 'the state deleted once the client left for good');
  });

  it('SimpleMCPClient through a balancer: resumes on the other node and calls on, its subscription live, no second initialize', async () => {
    const { a, b } = await twoNodes();
    const balancer = await RoundRobinBalancer.start([Number(new URL(a.url).port)]);
    const client = new SimpleMCPClient({ url: balancer.url(), transport: { reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 200 } } });
    track(client, (c) => c.disconnect());
    const opened: string[] = [];
    b.server.sessions$.subscribe((event) => opened.push(event.type));
    await client.connect();
    await client.subscribeResource('note://a');
    const updates: string[] = [];
    client.notifications$.subscribe((n) => updates.push(n.method));

    const states: string[] = [];
    client.state$.subscribe((state) => states.push(state));
    a.kill();
    balancer.setBackends([Number(new URL(b.url).port)]);
    balancer.dropAll();
    // Called once the client is back: a request written into the dying socket never reached a
    // server, so no node has a reply to replay for it (it would wait for its requestTimeoutMs).
    await until(() => states.includes('reconnecting') && states.at(-1) === 'ready', 'the client resumed on b');
    expect(await client.callTool('add', { a: 20, b: 22 })).toMatchObject({ content: [{ type: 'text', text: '42' }] });
    b.server.notifyResourceUpdated('note://a');
    await until(() => updates.includes('notifications/resources/updated'), 'resources/updated after the resume');
    expect(updates.filter((m) => m === 'notifications/resources/updated')).toHaveLength(1);
    // b took the session up from the store (announced once): the client never initialized there.
    expect(opened).toEqual(['opened']);
  });

  it('without a store, the resumed client is answered "before initialize" until it initializes again', async () => {
    const { redis, a, b } = await twoNodes(false);
    const client = await ResumingClient.open(a.url);
    await setUp(client, a.server);
    expect(await probe(redis).keys('nexus:mcp:*')).toEqual([]);
    a.kill();
    const resumed = await client.resumeOn(b.url);
    expect(resumed.session).toMatchObject({ resumed: true });
    const refused = await resumed.raw.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } });
    expect(refused).toMatchObject({ error: { code: -32600, message: expect.stringContaining('before initialize') as unknown } });
    await resumed.raw.initialize();
    expect(await resumed.raw.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({ result: { content: [{ text: '2' }] } });
  });
});
