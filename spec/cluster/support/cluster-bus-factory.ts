/**
 * How a cluster node child builds its bus and its shared sessions from the command line: RedisBus
 * and `redisSessions` from `nexus-mcp/redis` (src/redis), or neither (`--bus none`: a cluster of
 * one with sessions in memory, used to test the harness itself).
 */
import { RedisBus, redisSessions } from '../../../src/redis/index.js';
import type { ClusterBus, SharedSessions } from '../../../src/transport/index.js';

export type BusKind = 'redis' | 'none';

export interface BusSettings {
  readonly kind: BusKind;
  readonly redisUrl: string | undefined;
  readonly nodeId: string;
  /** The presence lease, ms (RedisBus's `leaseMs`). */
  readonly leaseMs: number;
  readonly prefix: string;
}

/** What a node's server gets: its cluster bus, and the sessions every node shares (none for `none`). */
export interface NodeCluster {
  readonly bus: ClusterBus | undefined;
  /** The session directory and replay logs of the cluster, so that a client may resume on any node. */
  readonly shared: SharedSessions | undefined;
}

export function createNodeCluster(settings: BusSettings): NodeCluster {
  if (settings.kind === 'none') return { bus: undefined, shared: undefined };
  if (settings.redisUrl === undefined) throw new Error('--bus redis needs --redis <url>');
  const { redisUrl: url, nodeId, leaseMs, prefix } = settings;
  return { bus: new RedisBus({ url, nodeId, leaseMs, prefix }), shared: redisSessions({ url, prefix }) };
}
