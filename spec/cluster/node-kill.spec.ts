/**
 * Fault: a node killed with SIGKILL in the middle of a broadcast stream. Its clients reconnect
 * through the same address (the balancer skips the dead node) to the others and resume their
 * sessions there from the replay log in Redis: every message exactly once and in order, nobody
 * told of a loss. The dead node's lease expires and the survivors' counts converge on the clients
 * that are really there (no ghosts).
 * The nodes share their sessions on Redis (`resume: { shared: redisSessions(…) }`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../support/resources.js';
import { expectNothingSilentlyLost, stream, untilEveryClientHas } from './support/scenario.js';
import { TestCluster, waitFor } from './support/test-cluster.js';

afterEach(closeAll);

const CLIENTS = 12;
const LEASE_MS = 1500;
const MESSAGES = 300;

describe('a node killed with SIGKILL', () => {
  it('resumes its clients on the other nodes with every message exactly once, in order, and the counts converge', async () => {
    const cluster = await TestCluster.start({ nodes: 3, leaseMs: LEASE_MS, resumeWindowMs: 15_000 });
    const clients = await cluster.connect(CLIENTS);
    await cluster.countsConverge(CLIENTS, 10_000);
    const orphans = clients.filter((client) => client.nodeId === 'c');
    expect(orphans.length).toBeGreaterThan(0);

    const sending = stream(cluster, 'a', 1, MESSAGES, 10);
    await untilEveryClientHas(clients, 50);
    await cluster.node('c').kill();
    const sent = await sending;

    const all = Array.from({ length: MESSAGES }, (_, index) => index + 1);
    await waitFor(
      () => clients.every((client) => client.received.length >= MESSAGES),
      30_000,
      () => `every client to have all ${MESSAGES} messages: ${clients.map((client) => `${client.nodeId}:${client.received.length}`).join(', ')}`,
    );
    expectNothingSilentlyLost(cluster.audit('a', clients, sent));
    for (const client of clients) {
      expect(client.received, `${client.clientId} (was on ${client.nodeId})`).toEqual(all);
      expect(client.toldOfLoss).toBe(false);
    }
    for (const orphan of orphans) expect(orphan.resumed, `${orphan.clientId} resumed`).toBeGreaterThan(0);
    // Where the orphans are now: on a survivor, under the same id.
    for (const orphan of orphans) {
      const before = orphan.clientId;
      expect(['a', 'b']).toContain((await orphan.whoami()).nodeId);
      expect(orphan.clientId).toBe(before);
    }

    // The dead node's lease runs out: it and its clients leave every survivor's view.
    const counts = await cluster.countsConverge(CLIENTS, LEASE_MS + LEASE_MS / 5 + 10_000);
    for (const view of counts) expect(view.nodes.map((node) => node.nodeId).sort()).toEqual(['a', 'b']);
  });
});
