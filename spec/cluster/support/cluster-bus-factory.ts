/**
 * How a cluster node child builds its bus and its resumption store from the command line: RedisBus
 * from `nexus-mcp/redis` (src/redis), or none (`--bus none`: a cluster of one, used to test the
 * harness itself).
 */
import { RedisBus } from '../../../src/redis/index.js';
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

export function createNodeCluster(settings: BusSettings): Promise<NodeCluster> {
  if (settings.kind === 'none') return Promise.resolve({ bus: undefined, resumeStore: undefined });
  if (settings.redisUrl === undefined) return Promise.reject(new Error('--bus redis needs --redis <url>'));
  const bus: ClusterBus = new RedisBus({ url: settings.redisUrl, nodeId: settings.nodeId, leaseMs: settings.leaseMs, prefix: settings.prefix });
  return Promise.resolve({ bus, resumeStore: undefined });
}

/**
 * Whether nodes can share their sessions (resumption on any node), so that a client of a dead node
 * resumes on another. Not yet: the nodes keep sessions in memory until the shared stores land.
 */
export function sharedResumeAvailable(): Promise<boolean> {
  return Promise.resolve(false);
}
