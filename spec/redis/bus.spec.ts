/**
 * RedisBus between servers on real ports and a redis-server of the test's own: broadcasts, sends to
 * a client on another node, client counts, and the cost of a publish.
 */
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketClientTransport } from '../../src/transport/index.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll } from '../support/resources.js';
import { commandStats, redisBus } from './bus-support.js';
import { startClient, startServer } from '../support/sockets.js';

afterEach(closeAll);

const bus = redisBus;

const next = (client: WebSocketClientTransport) => client.receiveMessage(5000);

describe('RedisBus between servers', () => {
  it('delivers a broadcast from any node to every client of every node, exactly once, in order', async () => {
    const redis = await RedisServer.start();
    const [a, b, c] = [await startServer({ cluster: bus(redis, { nodeId: 'a' }) }), await startServer({ cluster: bus(redis, { nodeId: 'b' }) }), await startServer({ cluster: bus(redis, { nodeId: 'c' }) })];
    const nodes = [a, b, c];
    const clients = [await startClient(a.url), await startClient(b.url), await startClient(b.url), await startClient(c.url)];
    for (const { server } of nodes) await expect(server.waitForClients(4, 5000)).resolves.toBe(true);
    // Each node broadcasts its own numbered series: every client sees every series whole, each in order.
    for (let n = 1; n <= 30; n += 1) for (const [index, { server }] of nodes.entries()) await server.broadcastNotification({ from: index, n });
    const expected = [0, 1, 2].map(() => Array.from({ length: 30 }, (_, i) => i + 1));
    for (const client of clients) {
      const seen: number[][] = [[], [], []];
      for (let k = 0; k < 90; k += 1) {
        const message = await next(client);
        seen[message['from'] as number]?.push(message['n'] as number);
      }
      expect(seen).toEqual(expected);
    }
    await c.server.broadcastNotification({ marker: true });
    for (const client of clients) expect(await next(client)).toEqual({ marker: true, type: 'notification' });
  });

  it('publishes with exactly one Redis command', async () => {
    const redis = await RedisServer.start();
    const a = bus(redis, { leaseMs: 60_000 });
    const b = bus(redis, { leaseMs: 60_000 });
    await a.start();
    await b.start();
    const heard = firstValueFrom(b.inbound$);
    const before = a.commands;
    const published = a.publish('broadcast', '{"hello":1}');
    // Counted as it is sent, before any reply: the publish itself is one command.
    expect(a.commands - before).toBe(1);
    await published;
    // Redis agrees: one XADD, and nothing else was sent for it.
    expect(await commandStats(redis)).toMatchObject({ xadd: 1 });
    const envelope = await heard;
    expect(envelope).toMatchObject({ from: a.nodeId, topic: 'broadcast', data: '{"hello":1}' });
    expect(envelope.position).toMatch(/^\d+-\d+$/);
  });

  it('sends to a client on another node; false for a node that is gone', async () => {
    const redis = await RedisServer.start();
    const a = await startServer({ cluster: bus(redis) });
    const b = await startServer({ cluster: bus(redis) });
    const onB = await startClient(b.url);
    const [remote] = b.server.getClients();
    await expect(a.server.waitForClients(1, 5000)).resolves.toBe(true);
    expect(await a.server.sendTo(remote?.id ?? '', { type: 'direct', hello: 'from a' })).toBe(1);
    expect(await next(onB)).toEqual({ type: 'direct', hello: 'from a' });
    expect(await a.server.sendTo('no-such-client', { type: 'direct' })).toBe(0);
    const lone = bus(redis);
    await lone.start();
    expect(await lone.sendToNode('no-such-node', 'x', 'y')).toBe(false);
  });

  it('counts every node’s clients, and forgets a node’s clients at once when it stops', async () => {
    const redis = await RedisServer.start();
    const a = await startServer({ cluster: bus(redis, { nodeId: 'a' }) });
    const b = await startServer({ cluster: bus(redis, { nodeId: 'b' }) });
    await startClient(a.url);
    await startClient(b.url);
    await startClient(b.url);
    await expect(a.server.waitForClients(3, 5000)).resolves.toBe(true);
    await expect(b.server.waitForClients(3, 5000)).resolves.toBe(true);
    const nodes$ = a.server.clusterNode?.nodes$;
    if (!nodes$) throw new Error('a server with a cluster is a node of it');
    expect(await firstValueFrom(nodes$)).toEqual([
      { nodeId: 'a', clients: 1 },
      { nodeId: 'b', clients: 2 },
    ]);
    await b.server.stop();
    expect(await firstValueFrom(a.server.clientCount$.pipe(filter((count) => count === 1)))).toBe(1);
    expect(await firstValueFrom(nodes$)).toEqual([{ nodeId: 'a', clients: 1 }]);
  });
});
