/**
 * The fault suite's own machinery, without a bus: nodes start as child processes, announce their
 * ports, obey commands, report errors, and die by their pid; clients reach them through the balancer.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import type { CountsResult, MemoryResult } from './node-protocol.js';
import { TestCluster, waitFor } from './test-cluster.js';

afterEach(closeAll);

it('starts nodes behind the balancer, broadcasts numbered messages, counts, samples memory, and kills a node', async () => {
  const cluster = await TestCluster.start({ nodes: 2, bus: 'none' });
  const clients = await cluster.connect(4);
  const [a, b] = cluster.nodes;
  if (!a || !b) throw new Error('two nodes');
  // Without a bus each node counts only its own clients.
  await waitFor(async () => (await cluster.counts()).every((count) => count.local === 2 && count.cluster === 2), 10_000, () => 'two clients on each node');

  // Without a bus a broadcast stays on its node: exactly the clients of `a` get 1..5, in order.
  const { sentAt } = await a.request<{ sentAt: number[] }>({ cmd: 'broadcast', from: 1, count: 5, intervalMs: 10 });
  expect(sentAt).toHaveLength(5);
  await waitFor(() => clients.filter((client) => client.received.length === 5).length === 2, 10_000, () => 'two clients with 5 messages');
  for (const client of clients) expect(client.received).toEqual(client.received.length === 0 ? [] : [1, 2, 3, 4, 5]);

  const memory = await a.request<MemoryResult>({ cmd: 'memory' });
  expect(memory.heapUsed).toBeGreaterThan(0);

  await b.kill();
  expect(b.alive).toBe(false);
  // b's clients come back through the balancer, which skips the dead node; their sessions were on b.
  await waitFor(async () => (await a.request<CountsResult>({ cmd: 'counts' })).local === 4, 20_000, () => 'a to hold all four clients');
  await waitFor(() => clients.filter((client) => client.toldOfLoss).length === 2, 10_000, () => 'two clients told of their lost session');
});
