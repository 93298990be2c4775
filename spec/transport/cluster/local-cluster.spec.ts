/**
 * Servers on real ports joined by a LocalCluster: what spans clients — broadcasts, sends to a
 * client, client counts — works across nodes exactly as on one server.
 */
import { firstValueFrom, filter } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster, type ClusterBus, type WebSocketClientTransport } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

async function node(bus: ClusterBus) {
  return startServer({ cluster: bus });
}

/** The next message of each client, in order. */
const next = (client: WebSocketClientTransport) => client.receiveMessage(5000);

describe('a LocalCluster of servers', () => {
  it('delivers a broadcast from any node to every client of every node, exactly once, in order', async () => {
    const cluster = new LocalCluster();
    const a = await node(cluster.node('a'));
    const b = await node(cluster.node('b'));
    const onA = await startClient(a.url);
    const onB = [await startClient(b.url), await startClient(b.url)];
    await expect(a.server.waitForClients(3, 5000)).resolves.toBe(true);
    for (let n = 1; n <= 20; n += 1) await a.server.broadcastNotification({ n });
    for (const client of [onA, ...onB]) {
      const seen: unknown[] = [];
      for (let n = 1; n <= 20; n += 1) seen.push((await next(client))['n']);
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    // Nothing twice: a marker sent last is the very next message everywhere.
    await b.server.broadcastNotification({ marker: true });
    for (const client of [onA, ...onB]) expect(await next(client)).toEqual({ marker: true, type: 'notification' });
  });

  it('sends to a client on another node; 0 for a client no node has', async () => {
    const cluster = new LocalCluster();
    const a = await node(cluster.node('a'));
    const b = await node(cluster.node('b'));
    const onB = await startClient(b.url);
    const [remote] = b.server.getClients();
    await expect(a.server.waitForClients(1, 5000)).resolves.toBe(true);
    expect(await a.server.sendTo(remote?.id ?? '', { type: 'direct', hello: 'from a' })).toBe(1);
    expect(await next(onB)).toEqual({ type: 'direct', hello: 'from a' });
    expect(await a.server.sendTo('no-such-client', { type: 'direct' })).toBe(0);
  });

  it('counts every node’s clients, and forgets a node’s clients when it stops', async () => {
    const cluster = new LocalCluster();
    const a = await node(cluster.node('a'));
    const b = await node(cluster.node('b'));
    await startClient(a.url);
    await startClient(b.url);
    await startClient(b.url);
    await expect(a.server.waitForClients(3, 5000)).resolves.toBe(true);
    expect(a.server.getConnectedClients()).toBe(3);
    expect(await firstValueFrom(a.server.localClientCount$)).toBe(1);
    const nodes$ = a.server.clusterNode?.nodes$;
    if (!nodes$) throw new Error('a server with a cluster is a node of it');
    expect(await firstValueFrom(nodes$)).toEqual([
      { nodeId: 'a', clients: 1 },
      { nodeId: 'b', clients: 2 },
    ]);
    await b.server.stop();
    expect(await firstValueFrom(a.server.clientCount$.pipe(filter((count) => count === 1)))).toBe(1);
    expect(a.server.getConnectedClients()).toBe(1);
  });
});
