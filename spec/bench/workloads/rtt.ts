import type { ChildHandle } from '../child.js';
import type { TransportPeer } from '../config.js';
import type { RttParams } from '../load/load-main.js';
import { urlFor } from '../load/peer-clients.js';
import type { RttRow } from '../results.js';
import { combineRuns, type ClosedLoopResult, type MeasuredRun } from '../stats.js';
import { percent, portOf, serverCpuDuring, startPeerLoad, startPeerServer, withChildren, type RunContext } from './context.js';
import { interleave } from './interleave.js';

/**
 * rtt: C clients, each sending a request and waiting for the reply (closed loop), for a fixed time.
 * Every server and its load generator run side by side for the whole workload; for each C the
 * servers take turns, several times over. Each turn opens its own C connections.
 */
export async function runRtt(context: RunContext, peers: readonly TransportPeer[]): Promise<RttRow[]> {
  const { clients, repetitions, warmupMs, durationMs, payloadBytes } = context.config.rtt;
  const rows: RttRow[] = [];
  const start = (): ChildHandle[] => peers.flatMap((peer) => [startPeerServer(context, peer, 'rtt'), startPeerLoad(context, peer)]);
  await withChildren(context, 'rtt', peers.join(', '), start, async (children) => {
    const sides = new Map<TransportPeer, { server: ChildHandle; load: ChildHandle; url: string }>();
    for (const [index, peer] of peers.entries()) {
      const server = children[2 * index];
      const load = children[2 * index + 1];
      if (!server || !load) throw new Error(`children of ${peer} missing`);
      sides.set(peer, { server, load, url: urlFor(peer, await portOf(server)) });
    }
    for (const count of clients) {
      const measure = async (peer: TransportPeer): Promise<MeasuredRun> => {
        const side = sides.get(peer);
        if (!side) throw new Error(`no children for ${peer}`);
        const params: RttParams = { url: side.url, clients: count, warmupMs, durationMs, payloadBytes };
        const [result, serverCpu] = await Promise.all([
          side.load.request<ClosedLoopResult>('rtt', params, warmupMs + durationMs + context.config.stepTimeoutMs),
          serverCpuDuring(side.server, warmupMs, durationMs),
        ]);
        return { ...result, serverCpu };
      };
      const runs = await interleave(context, 'rtt', peers, repetitions, measure, (peer) => `${peer} C=${count}`);
      for (const [peer, measured] of runs) {
        if (measured.length === 0) continue;
        const row: RttRow = { peer, clients: count, ...combineRuns(measured) };
        rows.push(row);
        context.log(
          `  rtt ${peer} C=${count}: ${row.perSecond.toFixed(0)} req/s, p50 ${row.p50Ms.toFixed(3)} ms, p99 ${row.p99Ms.toFixed(3)} ms, ` +
            `CPU server ${percent(row.serverCpu)} load ${percent(row.loadCpu)}` +
            (row.errors > 0 ? `, ${row.errors} errors` : ''),
        );
      }
    }
  });
  return rows;
}
