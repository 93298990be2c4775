/**
 * Streamable HTTP sessions served by any node: two MCPServers of a LocalCluster share an
 * InMemoryMcpSessionStore, behind a round-robin balancer with a client that opens a new connection
 * for every request, so consecutive requests of one session land on different nodes.
 */
import { afterEach } from 'vitest';
import { InMemoryMcpSessionStore } from '../../../src/mcp/index.js';
import { LocalCluster } from '../../../src/transport/index.js';
import { RoundRobinBalancer } from '../../cluster/support/round-robin-balancer.js';
import { closeAll as closeSupport } from '../../support/resources.js';
import { closeAll as closeServers, startMcpServer } from '../support/mcp-fixtures.js';
import { sharedSessionSpecs, withFeatures, type ClusterUnderTest } from '../support/shared-session-specs.js';

afterEach(async () => {
  await closeSupport();
  await closeServers();
});

async function startCluster(options: { ttlMs?: number } = {}): Promise<ClusterUnderTest> {
  const cluster = new LocalCluster();
  const store = new InMemoryMcpSessionStore();
  const node = (name: string) => startMcpServer({ cluster: cluster.node(name), sessions: { store, ...options } }, withFeatures);
  const nodes = [await node('a'), await node('b')];
  const balancer = await RoundRobinBalancer.start(nodes.map((n) => n.port));
  return { nodes: nodes.map((n) => n.server), balancer, store };
}

sharedSessionSpecs('LocalCluster + InMemoryMcpSessionStore', startCluster);
