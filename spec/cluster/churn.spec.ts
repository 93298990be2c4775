/**
 * Memory stays bounded under churn: clients connect and leave through the balancer without pause
 * (thousands of cycles, the equivalent of ten minutes of a busy service, compressed to under a
 * minute) while one node broadcasts. Each node's heap is sampled with GC forced after a warm-up and
 * again at the end, once the sessions of dropped clients have outlived their window; the growth
 * between the two must stay under a bound that a leak of per-connection state would exceed. In
 * Redis, presence returns to empty: no client left in the clients hash or any node's set, every
 * node's count back to 0, and no keys that grow with the churn.
 */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { closeAll, track } from '../support/resources.js';
import { churn, type ChurnResult } from './support/churn.js';
import type { MemoryResult } from './support/node-protocol.js';
import { TestCluster } from './support/test-cluster.js';

afterEach(closeAll);

const WORKERS = 12;
const WARMUP_MS = 8_000;
const CHURN_MS = 40_000;
const LEASE_MS = 1500;
const RESUME_WINDOW_MS = 2000;
/**
 * Heap a node may gain between the two samples: 1 KiB per connection it saw, and never less than
 * 2 MiB (GC noise). A connection's own state is ~3 KiB (docs/benchmarks.md, idle), so leaking it —
 * or anything over 2 KiB per connection — breaks the bound.
 */
const growthBound = (cyclesPerNode: number): number => Math.max(2 * 1024 * 1024, cyclesPerNode * 1024);
/** Fewer cycles than this per node and the floor above would hide a 2 KiB leak. */
const MIN_CYCLES_PER_NODE = 1024;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

it(`keeps every node's heap and Redis' presence bounded under ${CHURN_MS / 1000} s of connect/leave churn`, async () => {
  const cluster = await TestCluster.start({ nodes: 3, leaseMs: LEASE_MS, resumeWindowMs: RESUME_WINDOW_MS });
  const redis = track(new Redis(cluster.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 }), (client) => client.quit());
  await redis.connect();
  const settle = async (): Promise<MemoryResult[]> => {
    await cluster.countsConverge(0, LEASE_MS * 3 + 10_000);
    // Dropped clients' sessions wait out their window before they go.
    await new Promise((resolve) => setTimeout(resolve, RESUME_WINDOW_MS + 1500));
    return Promise.all(cluster.nodes.map((node) => node.request<MemoryResult>({ cmd: 'memory' }, 30_000)));
  };
  const churnWithTrickle = async (durationMs: number): Promise<ChurnResult> => {
    const trickle = cluster.node('a').request({ cmd: 'broadcast', from: 1, count: Math.floor(durationMs / 100), intervalMs: 100 }, durationMs + 30_000);
    const result = await churn(cluster.balancer.url(), WORKERS, durationMs);
    await trickle;
    return result;
  };

  const warmup = await churnWithTrickle(WARMUP_MS);
  const before = await settle();
  const keysBefore = await redis.dbsize();
  const measured = await churnWithTrickle(CHURN_MS);
  const after = await settle();
  const keysAfter = await redis.dbsize();

  const growth = after.map((sample, index) => sample.heapUsed - (before[index]?.heapUsed ?? 0));
  console.info(
    `churn: ${warmup.cycles} warm-up + ${measured.cycles} measured cycles (${measured.failures} failed${measured.lastFailure ? `: ${measured.lastFailure}` : ''}); ` +
      `heap before ${before.map((sample) => mib(sample.heapUsed)).join(' / ')}, growth ${growth.map(mib).join(' / ')} (bound ${mib(growthBound(measured.cycles / cluster.nodes.length))}); redis keys ${keysBefore} → ${keysAfter}`,
  );
  const cyclesPerNode = measured.cycles / cluster.nodes.length;
  expect(cyclesPerNode).toBeGreaterThan(MIN_CYCLES_PER_NODE);
  expect(measured.failures).toBeLessThan(measured.cycles / 100);
  for (const [index, bytes] of growth.entries()) expect(bytes, `heap growth of node ${cluster.nodes[index]?.nodeId ?? index}`).toBeLessThan(growthBound(cyclesPerNode));

  expect(await redis.hlen('nexus:clients')).toBe(0);
  for (const node of cluster.nodes) expect(await redis.scard(`nexus:node:${node.nodeId}:clients`), `clients of ${node.nodeId} in Redis`).toBe(0);
  const counts = await redis.hgetall('nexus:counts');
  expect(Object.values(counts).every((count) => count === '0'), JSON.stringify(counts)).toBe(true);
  // Keys that outlive the churn are per node or shared, never per client.
  expect(keysAfter).toBeLessThanOrEqual(keysBefore + 2);
});
