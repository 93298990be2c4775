/**
 * Fault: Redis restarts (empty: no persistence, as after a failover to a replica that had not caught
 * up) in the middle of a stream of broadcasts. The nodes reconnect and resubscribe by themselves;
 * every numbered message reaches every client, or its loss is reported — by the client's node (the
 * bus came back having missed messages), by the publisher (a publish failed), or to the client
 * (SessionExpiredError). Then presence is rebuilt and broadcasts flow from every node again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../support/resources.js';
import { broadcastsFlowFromEveryNode, expectNothingSilentlyLost, stream, untilEveryClientHas } from './support/scenario.js';
import { TestCluster, waitFor } from './support/test-cluster.js';

afterEach(closeAll);

const CLIENTS = 12;
const LEASE_MS = 2000;

describe('Redis restarted in the middle of a broadcast stream', () => {
  it('delivers or reports every message, then the nodes resubscribe, recount and broadcast again', async () => {
    const cluster = await TestCluster.start({ nodes: 3, leaseMs: LEASE_MS });
    const clients = await cluster.connect(CLIENTS);
    await cluster.countsConverge(CLIENTS, 10_000);

    const sending = stream(cluster, 'a', 1, 300, 10);
    await untilEveryClientHas(clients, 50);
    const restartedAt = Date.now();
    await cluster.redis.restart();
    const during = await sending;

    // Every node notices and comes back (its status after the restart ends in a recovery).
    await waitFor(
      () => cluster.nodes.every((node) => node.events.some((event) => event.event === 'status' && event.kind === 'resubscribed' && event.at >= restartedAt)),
      LEASE_MS * 5 + 10_000,
      () => `every node to resubscribe: ${cluster.nodes.map((node) => `${node.nodeId} ${JSON.stringify(node.events.filter((event) => event.event === 'status'))}`).join('; ')}`,
    );
    // Presence was lost with Redis' data: each node reports its clients again.
    await cluster.countsConverge(CLIENTS, LEASE_MS * 3 + 10_000);
    const after = await broadcastsFlowFromEveryNode(cluster, clients, 1001, 10);

    const result = cluster.audit('a', clients, during, ...after.filter((sent) => sent.from === 1001));
    expectNothingSilentlyLost(result);
    // The restart really happened mid-stream: messages went out on both sides of it.
    expect(during.sentAt.some((at) => at < restartedAt) && during.sentAt.some((at) => at > restartedAt)).toBe(true);
    const lost = result.clients.reduce((sum, client) => sum + client.missing.length, 0);
    console.info(`redis restart: ${lost} deliveries missing across ${CLIENTS} clients, all reported; ${result.publishFailures} publishes failed on the publisher`);
  });
});
