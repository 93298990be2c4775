/**
 * RedisBus when Redis goes away: restarted empty (data lost — reported as missed, and the bus works
 * again), a node's connections cut (nothing lost: the reader catches up from its last id), Redis
 * frozen longer than a lease (reported, then the leases are taken again), FLUSHALL under live
 * connections (reported).
 */
import { filter, firstValueFrom, ReplaySubject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError, type TransportErrorEvent, type WebSocketClientTransport } from '../../src/transport/index.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';
import { startClient, startServer, within } from '../support/sockets.js';
import { killConnectionsOf, probe, recordStatus, redisBus, statusOf } from './bus-support.js';

afterEach(closeAll);

const next = (client: WebSocketClientTransport) => client.receiveMessage(5000);

/** Two servers on one Redis, a client on each. */
async function twoNodes(redis: RedisServer, leaseMs = 1000) {
  const busA = redisBus(redis, { nodeId: 'a', leaseMs });
  const busB = redisBus(redis, { nodeId: 'b', leaseMs });
  const a = await startServer({ cluster: busA });
  const b = await startServer({ cluster: busB });
  const onA = await startClient(a.url);
  const onB = await startClient(b.url);
  await expect(a.server.waitForClients(2, 5000)).resolves.toBe(true);
  await expect(b.server.waitForClients(2, 5000)).resolves.toBe(true);
  return { busA, busB, a, b, onA, onB };
}

function recordErrors(server: { readonly errors$: import('rxjs').Observable<TransportErrorEvent> }): ReplaySubject<TransportErrorEvent> {
  const seen = new ReplaySubject<TransportErrorEvent>();
  track(server.errors$.subscribe(seen), (subscription) => subscription.unsubscribe());
  return seen;
}

/** Broadcasts and sends flow both ways, and every node counts both clients again. */
async function worksAgain({ a, b, onA, onB }: Awaited<ReturnType<typeof twoNodes>>, tag: string): Promise<void> {
  await expect(a.server.waitForClients(2, 8000)).resolves.toBe(true);
  await expect(b.server.waitForClients(2, 8000)).resolves.toBe(true);
  await a.server.broadcastNotification({ tag, from: 'a' });
  expect(await next(onA)).toEqual({ tag, from: 'a', type: 'notification' });
  expect(await next(onB)).toEqual({ tag, from: 'a', type: 'notification' });
  const [clientOfA] = a.server.getClients();
  expect(await b.server.sendTo(clientOfA?.id ?? '', { type: 'direct', tag })).toBe(1);
  expect(await next(onA)).toEqual({ type: 'direct', tag });
}

describe('RedisBus when Redis goes away', () => {
  it('reports a Redis restarted empty as missed, reconnects, resubscribes and works again', async () => {
    const redis = await RedisServer.start();
    const nodes = await twoNodes(redis);
    const epochBefore = nodes.busA.epoch;
    const statusA = recordStatus(nodes.busA);
    const statusB = recordStatus(nodes.busB);
    const errorsA = recordErrors(nodes.a.server);
    await nodes.a.server.broadcastNotification({ before: true });
    for (const client of [nodes.onA, nodes.onB]) expect(await next(client)).toEqual({ before: true, type: 'notification' });

    await redis.restart();

    expect(await statusOf(statusA, 'disconnected')).toMatchObject({ kind: 'disconnected' });
    expect(await statusOf(statusA, 'resubscribed')).toMatchObject({ missed: true });
    expect(await statusOf(statusB, 'resubscribed')).toMatchObject({ missed: true });
    const reported = await firstValueFrom(errorsA.pipe(filter(({ error }) => error instanceof ClusterError && /may not have reached/.test(error.message)), within('a ClusterError')));
    expect(reported.error).toBeInstanceOf(ClusterError);
    expect(nodes.busA.epoch).not.toBe(epochBefore);
    expect(nodes.busB.epoch).toBe(nodes.busA.epoch);
    await worksAgain(nodes, 'after restart');
  });

  it('loses nothing when a node’s connections drop for a moment: its reader catches up, missed false', async () => {
    const redis = await RedisServer.start();
    const nodes = await twoNodes(redis);
    const statusB = recordStatus(nodes.busB);
    for (let n = 1; n <= 200; n += 1) {
      await nodes.a.server.broadcastNotification({ n });
      if (n === 50) expect(await killConnectionsOf(redis, 'b')).toBe(3);
    }
    for (const client of [nodes.onA, nodes.onB]) {
      const seen: unknown[] = [];
      for (let n = 1; n <= 200; n += 1) seen.push((await next(client))['n']);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    }
    expect(await statusOf(statusB, 'disconnected')).toMatchObject({ kind: 'disconnected' });
    expect(await statusOf(statusB, 'resubscribed')).toMatchObject({ missed: false });
    await worksAgain(nodes, 'after the drop');
  });

  it('reports Redis frozen past the lease as lost, then takes the leases again when it thaws', async () => {
    const redis = await RedisServer.start();
    const nodes = await twoNodes(redis, 300);
    const statusA = recordStatus(nodes.busA);
    const statusB = recordStatus(nodes.busB);
    redis.pause();
    try {
      const lost = await statusOf(statusA, 'disconnected', 5000);
      expect(lost.error?.message).toMatch(/has not answered/);
      await statusOf(statusB, 'disconnected', 5000);
    } finally {
      redis.resume();
    }
    // The stream kept everything: nothing missed. Presence was swept meanwhile and is sent again.
    expect(await statusOf(statusA, 'resubscribed')).toMatchObject({ missed: false });
    expect(await statusOf(statusB, 'resubscribed')).toMatchObject({ missed: false });
    await worksAgain(nodes, 'after the freeze');
  });

  it('reports data lost under live connections (FLUSHALL) within one renew, and works again', async () => {
    const redis = await RedisServer.start();
    const nodes = await twoNodes(redis, 500);
    const statusA = recordStatus(nodes.busA);
    const epochBefore = nodes.busA.epoch;
    await probe(redis).flushall();
    expect(await statusOf(statusA, 'resubscribed')).toMatchObject({ missed: true });
    expect(nodes.busA.epoch).not.toBe(epochBefore);
    await worksAgain(nodes, 'after FLUSHALL');
  });
});
