/** What several fault scenarios share: a numbered stream from one node, and proof that the cluster works again. */
import { expect } from 'vitest';
import type { Audit } from './delivery-audit.js';
import type { BroadcastResult } from './node-protocol.js';
import type { SeqClient } from './seq-client.js';
import { waitFor, type TestCluster } from './test-cluster.js';

export type Stream = BroadcastResult & { readonly from: number };

/** Starts broadcasting `count` numbered messages from `nodeId`, `intervalMs` apart; resolves when all were sent. */
export async function stream(cluster: TestCluster, nodeId: string, from: number, count: number, intervalMs: number): Promise<Stream> {
  const result = await cluster.node(nodeId).request<BroadcastResult>({ cmd: 'broadcast', from, count, intervalMs }, count * intervalMs + 60_000);
  return { ...result, from };
}

/** Waits until every client has received at least `seq`'s predecessors up to some point (`atLeast` messages each). */
export async function untilEveryClientHas(clients: readonly SeqClient[], atLeast: number, withinMs = 20_000): Promise<void> {
  await waitFor(
    () => clients.every((client) => client.received.length >= atLeast),
    withinMs,
    () => `every client to have ${atLeast} messages: ${clients.map((client) => client.received.length).join(', ')}`,
  );
}

/**
 * After a fault: every live node broadcasts `perNode` fresh numbered messages (from `firstSeq`
 * on), and every client must get every one of them, exactly once. Returns the streams sent.
 */
export async function broadcastsFlowFromEveryNode(cluster: TestCluster, clients: readonly SeqClient[], firstSeq: number, perNode: number): Promise<Stream[]> {
  const streams: Stream[] = [];
  let next = firstSeq;
  for (const node of cluster.live) {
    streams.push(await stream(cluster, node.nodeId, next, perNode, 10));
    next += perNode;
  }
  const fresh = Array.from({ length: next - firstSeq }, (_, index) => firstSeq + index);
  await waitFor(
    () => clients.every((client) => fresh.every((seq) => client.received.includes(seq))),
    20_000,
    () => `every client to get ${firstSeq}…${next - 1}: ${clients.map((client) => `${client.nodeId}:${fresh.filter((seq) => client.received.includes(seq)).length}`).join(', ')}`,
  );
  for (const client of clients) expect(client.received.filter((seq) => seq >= firstSeq)).toHaveLength(fresh.length);
  return streams;
}

/** Fails with the offending clients when anything was lost without a report, duplicated or reordered. */
export function expectNothingSilentlyLost(result: Audit): void {
  const show = (clients: Audit['clients']): string =>
    clients.map((client) => `${client.clientId}@${client.nodeId}: missing ${client.missing.join(',')} unexplained ${client.unexplained.join(',')} dup ${client.duplicates.join(',')}`).join('\n');
  expect(result.duplicated, `duplicates:\n${show(result.duplicated)}`).toEqual([]);
  expect(result.disordered, `out of order:\n${show(result.disordered)}`).toEqual([]);
  expect(result.silentlyLost, `lost without a report (publish failures: ${result.publishFailures}):\n${show(result.silentlyLost)}`).toEqual([]);
}
