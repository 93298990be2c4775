/**
 * Rate limits across nodes with RedisRateLimiter: one bucket per remote address for the whole
 * cluster, for new connections and for messages; and what a Redis outage does (each node limits
 * by its own bucket meanwhile, reported once — nobody is locked out).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../src/redis/index.js';
import { ClusterError, type TransportErrorEvent } from '../../src/transport/index.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';
import { nextValue, RawClient, startServer } from '../support/sockets.js';
import { upgradeResponse } from '../transport/security/upgrade-response.js';

afterEach(closeAll);

function limiter(redis: RedisServer): RedisRateLimiter {
  return track(new RedisRateLimiter({ url: redis.url }), (store) => store.close());
}

// A rate this slow earns no token back during a test: outcomes do not depend on timing.
const SLOW = 0.001;

describe('a connection rate shared by two nodes', () => {
  it('refuses the connection over the burst on whichever node it comes to', async () => {
    const redis = await RedisServer.start();
    const store = limiter(redis);
    const a = await startServer({ connectionRate: { rate: SLOW, burst: 3, store } });
    const b = await startServer({ connectionRate: { rate: SLOW, burst: 3, store } });
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(b.url, 'mcp')).status).toBe(101);
    const refused = await upgradeResponse(b.url, 'mcp');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(429);
    // Another address has a bucket of its own.
    expect((await upgradeResponse(b.url, 'mcp', { localAddress: '127.0.0.2' })).status).toBe(101);
  });

  it('limits by each node’s own bucket while Redis is down, reported once, and nobody is locked out', async () => {
    const redis = await RedisServer.start();
    const store = limiter(redis);
    const a = await startServer({ connectionRate: { rate: SLOW, burst: 2, store } });
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(429);
    const reported = nextValue(a.server.errors$, ({ error }) => error instanceof ClusterError, 'the store failure');
    await redis.kill();
    // The shared bucket is empty, but it cannot be asked: this node's own bucket decides (full: burst 2).
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await reported).error.message).toMatch(/connectionRate store failed/);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(a.url, 'mcp')).status).toBe(429);
  });
});

describe('a message rate shared by two nodes', () => {
  it('counts the messages from one address on every node against one bucket', async () => {
    const redis = await RedisServer.start();
    const store = limiter(redis);
    const options = { messageRate: { rate: SLOW, burst: 4, maxRefusals: 100, store }, messageHandler: (message: Record<string, unknown>) => ({ type: 'echo', n: message['n'] ?? null }) };
    const a = await startServer(options);
    const b = await startServer(options);
    const onA = await RawClient.open(a.url, 'mcp');
    const onB = await RawClient.open(b.url, 'mcp');
    for (let n = 1; n <= 3; n += 1) onA.sendJson({ n });
    for (let n = 1; n <= 3; n += 1) expect(await onA.next()).toEqual({ type: 'echo', n });
    for (let n = 4; n <= 6; n += 1) onB.sendJson({ n });
    // In order per connection: the first takes the last token, the others are refused.
    expect(await onB.next()).toEqual({ type: 'echo', n: 4 });
    expect(await onB.next()).toMatchObject({ code: 'rate_limited' });
    expect(await onB.next()).toMatchObject({ code: 'rate_limited' });
    onA.sendJson({ n: 7 });
    expect(await onA.next()).toMatchObject({ code: 'rate_limited' });
  });

  it('goes on serving messages while Redis is down, limited per node, and says so once', async () => {
    const redis = await RedisServer.start();
    const store = limiter(redis);
    const a = await startServer({ messageRate: { rate: SLOW, burst: 2, maxRefusals: 100, store }, messageHandler: () => ({ type: 'ok' }) });
    const errors: TransportErrorEvent[] = [];
    a.server.errors$.subscribe((event) => errors.push(event));
    const client = await RawClient.open(a.url, 'mcp');
    await redis.kill();
    for (let n = 1; n <= 3; n += 1) client.sendJson({ n });
    expect(await client.next()).toEqual({ type: 'ok' });
    expect(await client.next()).toEqual({ type: 'ok' });
    expect(await client.next()).toMatchObject({ code: 'rate_limited' });
    expect(errors.filter(({ error }) => error instanceof ClusterError).map(({ error }) => error.message)).toEqual([expect.stringMatching(/messageRate store failed/)]);
  });

  it('perAddress without a store: connections from one address share a bucket in this process', async () => {
    const a = await startServer({ messageRate: { rate: SLOW, burst: 2, maxRefusals: 100, perAddress: true }, messageHandler: () => ({ type: 'ok' }) });
    const first = await RawClient.open(a.url, 'mcp');
    const second = await RawClient.open(a.url, 'mcp');
    const elsewhere = await RawClient.open(a.url, 'mcp', { localAddress: '127.0.0.2' });
    first.sendJson({ n: 1 });
    expect(await first.next()).toEqual({ type: 'ok' });
    second.sendJson({ n: 2 });
    expect(await second.next()).toEqual({ type: 'ok' });
    first.sendJson({ n: 3 });
    expect(await first.next()).toMatchObject({ code: 'rate_limited' });
    elsewhere.sendJson({ n: 4 });
    expect(await elsewhere.next()).toEqual({ type: 'ok' });
  });
});
