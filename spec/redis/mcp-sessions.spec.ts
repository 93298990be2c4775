/**
 * MCP across nodes on Redis: two MCPServers joined by RedisBus, their Streamable HTTP sessions in a
 * RedisMcpSessionStore, on a redis-server of the test's own. The official SDK client goes through
 * a round-robin balancer, a new connection per request; WebSocket clients stay on their node and
 * still hear what other nodes raise.
 */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBus, RedisMcpSessionStore } from '../../src/redis/index.js';
import { RoundRobinBalancer } from '../cluster/support/round-robin-balancer.js';
import { post, openEvents } from '../mcp/support/http-requests.js';
import { closeAll as closeServers, RawMcpClient, startMcpServer, type Frame } from '../mcp/support/mcp-fixtures.js';
import { openSession, sharedSessionSpecs, until, withFeatures, type ClusterUnderTest } from '../mcp/support/shared-session-specs.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll as closeSupport, track } from '../support/resources.js';
import { probe } from './bus-support.js';

afterEach(async () => {
  await closeServers();
  await closeSupport();
});

/** A store on `redis`, closed after the test (after the servers). */
function storeOn(redis: RedisServer): RedisMcpSessionStore {
  return track(new RedisMcpSessionStore({ url: redis.url }), (store) => store.close());
}

function nodeOn(redis: RedisServer, store: RedisMcpSessionStore, nodeId: string, ttlMs?: number) {
  const sessions = ttlMs === undefined ? { store } : { store, ttlMs };
  return startMcpServer({ cluster: new RedisBus({ url: redis.url, nodeId }), sessions }, withFeatures);
}

async function startCluster(options: { ttlMs?: number } = {}): Promise<ClusterUnderTest> {
  const redis = await RedisServer.start();
  const store = storeOn(redis);
  const nodes = [await nodeOn(redis, store, 'a', options.ttlMs), await nodeOn(redis, store, 'b', options.ttlMs)];
  const balancer = await RoundRobinBalancer.start(nodes.map((n) => n.port));
  return { nodes: nodes.map((n) => n.server), balancer, store };
}

sharedSessionSpecs('RedisBus + RedisMcpSessionStore', startCluster);

const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
const ofMethod = (client: RawMcpClient, method: string): Frame[] => client.received.filter((frame) => frame.json?.['method'] === method);

describe('MCP on Redis', () => {
  it('keeps a session as JSON under <prefix>:mcp:session:<id>, its TTL refreshed by each request', async () => {
    const redis = await RedisServer.start();
    const store = storeOn(redis);
    const { server } = await nodeOn(redis, store, 'a', 60_000);
    const id = await openSession(server);
    const look = probe(redis);
    const stored = JSON.parse((await look.get(`nexus:mcp:session:${id}`)) ?? 'null') as unknown;
    expect(stored).toEqual({ protocolVersion: '2025-11-25', clientInfo: { name: 'raw', version: '1' }, clientCapabilities: {}, initialized: false, resourceSubscriptions: [] });
    await look.pexpire(`nexus:mcp:session:${id}`, 5000);
    expect((await post(server.httpUrl ?? '', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': id })).status).toBe(200);
    expect(await look.pttl(`nexus:mcp:session:${id}`)).toBeGreaterThan(5000);
  });

  it('serves an existing HTTP session from a restarted node (a new MCPServer on the same Redis), subscriptions included', async () => {
    const redis = await RedisServer.start();
    const store = storeOn(redis);
    const first = await nodeOn(redis, store, 'a');
    const id = await openSession(first.server);
    const headers = { 'mcp-session-id': id };
    await post(first.server.httpUrl ?? '', initialized, headers);
    await post(first.server.httpUrl ?? '', { jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'note://a' } }, headers);
    await first.server.stop();
    const restarted = await nodeOn(redis, store, 'a');
    const listed = await post(restarted.server.httpUrl ?? '', { jsonrpc: '2.0', id: 3, method: 'tools/list' }, headers);
    expect(listed.json).toMatchObject({ result: { tools: [{ name: 'add' }, { name: 'ask' }] } });
    const events = await openEvents(restarted.server.httpUrl ?? '', headers);
    restarted.server.notifyResourceUpdated('note://a');
    expect((await events.next()).data).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'note://a' } });
  });

  it('delivers to a WebSocket client on node A what node B raises, exactly once', async () => {
    const redis = await RedisServer.start();
    const store = storeOn(redis);
    const a = await nodeOn(redis, store, 'a');
    const b = await nodeOn(redis, store, 'b');
    const onA = await RawMcpClient.connect(a.url);
    await onA.initialize();
    await onA.request('resources/subscribe', { uri: 'note://a' });
    await onA.request('resources/subscribe', { uri: 'note://marker' });
    b.server.registerTool('late', { description: 'on b', input: t.type({}) }, () => 'late');
    b.server.notifyResourceUpdated('note://a');
    await onA.notification('notifications/tools/list_changed');
    await onA.notification('notifications/resources/updated');
    b.server.notifyResourceUpdated('note://marker');
    await until(() => ofMethod(onA, 'notifications/resources/updated').length >= 2, 'the marker');
    expect(ofMethod(onA, 'notifications/tools/list_changed')).toHaveLength(1);
    expect(ofMethod(onA, 'notifications/resources/updated').map((frame) => frame.json?.['params'])).toEqual([{ uri: 'note://a' }, { uri: 'note://marker' }]);
  });

  it('answers 503 while Redis cannot be reached, and serves the session again once it is back', async () => {
    const redis = await RedisServer.start();
    const store = track(new RedisMcpSessionStore({ url: redis.url, commandTimeoutMs: 300 }), (s) => s.close());
    const { server } = await nodeOn(redis, store, 'a');
    const errors: unknown[] = [];
    server.errors$.subscribe((event) => errors.push(event.context));
    const id = await openSession(server);
    const headers = { 'mcp-session-id': id };
    redis.pause();
    try {
      expect((await post(server.httpUrl ?? '', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers)).status).toBe(503);
    } finally {
      redis.resume();
    }
    expect(errors).toContain('session store: get');
    await until(async () => (await post(server.httpUrl ?? '', { jsonrpc: '2.0', id: 3, method: 'tools/list' }, headers)).status === 200, 'served again');
  });

  it('answers initialize with an internal error when the new session cannot be stored', async () => {
    const redis = await RedisServer.start();
    const store = track(new RedisMcpSessionStore({ url: redis.url, commandTimeoutMs: 300 }), (s) => s.close());
    const { server } = await nodeOn(redis, store, 'a');
    const errors: unknown[] = [];
    server.errors$.subscribe((event) => errors.push(event.context));
    redis.pause();
    let answered;
    try {
      answered = await post(server.httpUrl ?? '', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    } finally {
      redis.resume();
    }
    expect(answered.json).toMatchObject({ id: 1, error: { code: -32603 } });
    expect(errors).toContain('session store: put');
  });
});
