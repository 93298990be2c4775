/**
 * The fault suite's cluster: a redis-server of its own, N nodes as child processes (cluster-node.ts)
 * and the round-robin balancer in front of them, with clients connecting through the balancer.
 * Everything it starts is tracked, so `afterEach(closeAll)` stops it.
 */
import { RedisServer } from '../../support/redis-server.js';
import type { BusKind } from './cluster-bus-factory.js';
import { audit, type Audit } from './delivery-audit.js';
import type { BroadcastResult, CountsResult } from './node-protocol.js';
import { NodeProcess } from './node-process.js';
import { RoundRobinBalancer } from './round-robin-balancer.js';
import { SeqClient } from './seq-client.js';

export interface TestClusterOptions {
  readonly nodes?: number;
  /** `redis` (RedisBus) or `none` (independent nodes, to test the harness itself). Default `redis`. */
  readonly bus?: BusKind;
  readonly leaseMs?: number;
  readonly resumeWindowMs?: number;
}

export class TestCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly nodes: NodeProcess[],
    readonly balancer: RoundRobinBalancer,
  ) {}

  static async start(options: TestClusterOptions = {}): Promise<TestCluster> {
    const redis = await RedisServer.start();
    const bus = options.bus ?? 'redis';
    const names = Array.from({ length: options.nodes ?? 3 }, (_, index) => String.fromCharCode(97 + index));
    // One at a time: tsx compiling the same files in three processes at once only slows each down.
    const nodes: NodeProcess[] = [];
    for (const nodeId of names) {
      nodes.push(
        await NodeProcess.start({
          nodeId,
          bus,
          redisUrl: redis.url,
          ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
          ...(options.resumeWindowMs === undefined ? {} : { resumeWindowMs: options.resumeWindowMs }),
        }),
      );
    }
    const balancer = await RoundRobinBalancer.start(nodes.map((node) => node.port));
    return new TestCluster(redis, nodes, balancer);
  }

  /** The node called `nodeId`. */
  node(nodeId: string): NodeProcess {
    const node = this.nodes.find((candidate) => candidate.nodeId === nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  }

  get live(): NodeProcess[] {
    return this.nodes.filter((node) => node.alive);
  }

  /**
   * `count` clients through the balancer, opened one after another (so they take turns over the
   * nodes), each knowing the node it landed on.
   */
  async connect(count: number): Promise<SeqClient[]> {
    const clients: SeqClient[] = [];
    for (let index = 0; index < count; index += 1) {
      const client = await SeqClient.connect(this.balancer.url());
      await client.whoami();
      clients.push(client);
    }
    return clients;
  }

  /** Judges what `clients` received of the numbered broadcasts `publisher` sent (see delivery-audit.ts). */
  audit(publisher: string, clients: readonly SeqClient[], ...broadcasts: readonly (BroadcastResult & { readonly from: number })[]): Audit {
    const sentAt = new Map<number, number>();
    for (const { from, sentAt: times } of broadcasts) times.forEach((at, index) => sentAt.set(from + index, at));
    return audit({
      sentAt,
      publisher,
      events: new Map(this.nodes.map((node) => [node.nodeId, node.events])),
      clients: clients.map(({ clientId, nodeId, received, expiredAt }) => ({ clientId, nodeId, received, expiredAt })),
    });
  }

  /** Each live node's view of the counts. */
  counts(): Promise<CountsResult[]> {
    return Promise.all(this.live.map((node) => node.request<CountsResult>({ cmd: 'counts' })));
  }

  /** Waits until every live node counts `clients` in the cluster, and their own clients add up to it. */
  async countsConverge(clients: number, withinMs: number): Promise<CountsResult[]> {
    let latest: CountsResult[] = [];
    await waitFor(
      async () => {
        latest = await this.counts();
        const locals = latest.reduce((sum, counts) => sum + counts.local, 0);
        return locals === clients && latest.every((counts) => counts.cluster === clients);
      },
      withinMs,
      () => `cluster counts to converge on ${clients}: ${JSON.stringify(latest)}`,
    );
    return latest;
  }
}

/** Polls `condition` every 100 ms until it holds; fails with `describe()` after `withinMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, withinMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Waited ${withinMs} ms for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
