import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, type ChildHandle } from '../child.js';
import type { TransportPeer } from '../config.js';
import type { OpenParams, OpenResult } from '../load/load-main.js';
import { urlFor } from '../load/peer-clients.js';
import type { IdleRow } from '../results.js';
import type { MemorySample } from '../servers/memory.js';
import { portOf, startPeerLoad, startPeerServer, withChildren, type RunContext } from './context.js';

/**
 * idle: open N connections and leave them idle; the server's heap and RSS after a forced GC, minus
 * the same measured before the first connection, divided by N. Also the rate at which they opened.
 */
export async function runIdle(context: RunContext, peer: TransportPeer): Promise<IdleRow | undefined> {
  const { connections } = context.config.idle;
  const { stepTimeoutMs, openConcurrency } = context.config;
  return withChildren(
    context,
    'idle',
    peer,
    () => [startPeerServer(context, peer, 'idle'), startPeerLoad(context, peer)],
    async ([server, load]) => {
      if (!server || !load) throw new Error('children missing');
      const url = urlFor(peer, await portOf(server));
      const baseline = await server.request<MemorySample>('memory', {}, stepTimeoutMs);
      await snapshot(context, server, peer, 'empty');
      const openParams: OpenParams = { url, connections, concurrency: openConcurrency };
      const opened = await load.request<OpenResult>('openConnections', openParams, stepTimeoutMs);
      await server.request('waitForClients', { count: connections, timeoutMs: stepTimeoutMs / 2 }, stepTimeoutMs);
      const loaded = await server.request<MemorySample>('memory', {}, stepTimeoutMs);
      await snapshot(context, server, peer, `${connections}`);
      const row: IdleRow = {
        peer,
        connections,
        connectPerSecond: opened.opened / (opened.elapsedMs / 1000),
        heapPerConnection: (loaded.heapUsed - baseline.heapUsed) / connections,
        rssPerConnection: (loaded.rss - baseline.rss) / connections,
        externalPerConnection: (loaded.external - baseline.external) / connections,
        baseline,
        loaded,
      };
      context.log(
        `  idle ${peer} N=${connections}: heap ${(row.heapPerConnection / 1024).toFixed(2)} KiB/conn, ` +
          `RSS ${(row.rssPerConnection / 1024).toFixed(2)} KiB/conn, ${row.connectPerSecond.toFixed(0)} conn/s`,
      );
      await load.request('closeAll', {}, stepTimeoutMs);
      return row;
    },
  );
}

/** With --profile, a heap snapshot of the server (read them with heap-summary.ts). */
async function snapshot(context: RunContext, server: ChildHandle, peer: TransportPeer, label: string): Promise<void> {
  if (!context.profileDir) return;
  mkdirSync(context.profileDir, { recursive: true });
  const path = join(context.profileDir, `idle-${peer}-${label}.heapsnapshot`);
  await server.request('heapSnapshot', { path }, context.config.stepTimeoutMs);
  context.log(`  heap snapshot: ${relative(REPO_ROOT, path)}`);
}
