/**
 * How a cluster node child builds its bus and its resumption store from the command line. The
 * Redis parts come from `nexus-mcp/redis` (src/redis), loaded when asked for, so that a node
 * without a bus (`--bus none`: a cluster of one, used to test the harness itself) needs none of it.
 */
import type { ClusterBus, ResumeOptions } from '../../../src/transport/index.js';

export type BusKind = 'redis' | 'none';

export interface BusSettings {
  readonly kind: BusKind;
  readonly redisUrl: string | undefined;
  readonly nodeId: string;
  /** The presence lease, ms (RedisBus's `leaseMs`). */
  readonly leaseMs: number;
  readonly prefix: string;
}

/** What a node's server gets: its cluster bus (none for `none`) and where sessions keep their frames. */
export interface NodeCluster {
  readonly bus: ClusterBus | undefined;
  /** A resumption store every node shares (in Redis), or `undefined` for the server's in-memory one. */
  readonly resumeStore: ResumeOptions['store'];
}

/** The part of `nexus-mcp/redis` the nodes use, as the RedisBus helper's design describes it. */
interface RedisEntry {
  readonly RedisBus: new (options: { url: string; nodeId?: string; leaseMs?: number; prefix?: string }) => ClusterBus;
}

const REDIS_ENTRY = '../../../src/redis/index.js';

export async function createNodeCluster(settings: BusSettings): Promise<NodeCluster> {
  if (settings.kind === 'none') return { bus: undefined, resumeStore: undefined };
  if (settings.redisUrl === undefined) throw new Error('--bus redis needs --redis <url>');
  const entry = (await import(REDIS_ENTRY)) as RedisEntry;
  const bus = new entry.RedisBus({ url: settings.redisUrl, nodeId: settings.nodeId, leaseMs: settings.leaseMs, prefix: settings.prefix });
  return { bus, resumeStore: undefined };
}

/**
 * Whether nodes can share their sessions (resumption on any node), so that a client of a dead node
 * resumes on another. Not yet: the nodes keep sessions in memory until the shared stores land.
 */
export function sharedResumeAvailable(): Promise<boolean> {
  return Promise.resolve(false);
}
