/**
 * Fault: Redis frozen (SIGSTOP) for longer than the presence lease, then thawed (SIGCONT). Sockets
 * stay open and nothing is answered. RedisBus takes Redis answering nothing for `leaseMs` as a lost
 * connection: each node reports `disconnected` (a ClusterError on its errors$). Publishes made
 * meanwhile wait on the open connection; when Redis answers again they land in the stream, and each
 * node resubscribes saying it missed nothing (`missed: false`: it catches up from its last position)
 * and sends its presence again. The leases of every node may have expired meanwhile and been swept;
 * each node re-registers its own clients. So: every message is delivered (or its loss reported),
 * and the counts converge and broadcasts flow from every node again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../support/resources.js';
import { broadcastsFlowFromEveryNode, expectNothingSilentlyLost, stream, untilEveryClientHas } from './support/scenario.js';
import { TestCluster, waitFor } from './support/test-cluster.js';

afterEach(closeAll);

const CLIENTS = 12;
const LEASE_MS = 1500;
const PAUSE_MS = LEASE_MS * 3;

describe('Redis paused for longer than the lease', () => {
  it('reports the outage on every node, comes back having missed nothing, and recovers counts and broadcasts after SIGCONT', async () => {
    const cluster = await TestCluster.start({ nodes: 3, leaseMs: LEASE_MS });
    const clients = await cluster.connect(CLIENTS);
    await cluster.countsConverge(CLIENTS, 10_000);

    const sending = stream(cluster, 'a', 1, 400, 20);
    await untilEveryClientHas(clients, 30);
    const pausedAt = Date.now();
    cluster.redis.pause();
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    // Each node noticed that Redis stopped answering, while it was still frozen.
    for (const node of cluster.nodes) {
      expect(node.events.some((event) => event.event === 'status' && event.kind === 'disconnected' && event.at >= pausedAt), `${node.nodeId} reports the outage`).toBe(true);
    }
    const resumedAt = Date.now();
    cluster.redis.resume();
    const during = await sending;

    await waitFor(
      () => cluster.nodes.every((node) => node.events.some((event) => event.event === 'status' && event.kind === 'resubscribed' && event.at >= resumedAt)),
      LEASE_MS * 5 + 10_000,
      () => `every node to resubscribe after SIGCONT: ${cluster.nodes.map((node) => `${node.nodeId} ${JSON.stringify(node.events.filter((event) => event.event === 'status'))}`).join('; ')}`,
    );
    // RedisBus's documented outcome: the stream kept what was published during the freeze, so each
    // node comes back saying it missed nothing, and catches up from its last position.
    for (const node of cluster.nodes) {
      const back = node.events.find((event) => event.event === 'status' && event.kind === 'resubscribed' && event.at >= resumedAt);
      expect(back, `${node.nodeId} back after SIGCONT`).toMatchObject({ missed: false });
    }
    await cluster.countsConverge(CLIENTS, LEASE_MS * 3 + 10_000);
    const after = await broadcastsFlowFromEveryNode(cluster, clients, 1001, 10);

    const result = cluster.audit('a', clients, during, ...after.filter((sent) => sent.from === 1001));
    expectNothingSilentlyLost(result);
    expect(during.sentAt.some((at) => at > pausedAt && at < resumedAt)).toBe(true);
    const lost = result.clients.reduce((sum, client) => sum + client.missing.length, 0);
    console.info(`redis pause ${PAUSE_MS} ms (lease ${LEASE_MS} ms): ${lost} deliveries missing across ${CLIENTS} clients, all reported; ${result.publishFailures} publishes failed`);
  });
});
