/**
 * A server node of the cluster workload, as its own process:
 * `node --import tsx cluster-server-main.ts --peer nexus --redis redis://127.0.0.1:P --node-id a`.
 * The driver drives it over IPC: wait for its own clients, broadcast, send to one client, stop.
 */
import { filter, firstValueFrom, interval, map, startWith, timeout, timer } from 'rxjs';
import { CLUSTER_PEERS, type ClusterPeer } from '../config.js';
import { argument, serveRpc } from '../rpc.js';
import { fanoutMessage } from '../servers/fanout-message.js';
import type { BroadcastTiming } from '../servers/server-main.js';
import { cpuSample, nowMs } from '../stats.js';
import type { ClusterPeerParams, ClusterPeerServer } from './cluster-peer.js';
import { startNexusClusterServer } from './nexus-cluster-server.js';
import { startSocketIoClusterServer } from './socketio-cluster-server.js';

const starters: Record<ClusterPeer, (params: ClusterPeerParams) => Promise<ClusterPeerServer>> = {
  nexus: startNexusClusterServer,
  socketio: startSocketIoClusterServer,
};

export interface ClusterBroadcastParams {
  readonly messages: number;
  readonly payloadBytes: number;
  readonly round: number;
}

export interface SendToSeriesParams {
  readonly clientId: string;
  readonly count: number;
  readonly intervalMs: number;
  /** The `seq` of the first message; the rest follow in order. */
  readonly firstSeq: number;
}

/** When each `sendTo` was called (`nowMs()`), and how many of the calls failed on this node. */
export interface SendToSeriesResult {
  readonly sentAt: readonly number[];
  readonly failed: number;
}

async function sendToSeries(server: ClusterPeerServer, { clientId, count, intervalMs, firstSeq }: SendToSeriesParams): Promise<SendToSeriesResult> {
  const sentAt: number[] = [];
  let failed = 0;
  for (let index = 0; index < count; index += 1) {
    // Paced, so that each measures one send and not a queue of them.
    if (index > 0) await firstValueFrom(timer(intervalMs));
    sentAt.push(nowMs());
    try {
      await server.sendTo(clientId, { type: 'direct', seq: firstSeq + index });
    } catch {
      failed += 1;
    }
  }
  return { sentAt, failed };
}

async function main(): Promise<void> {
  const peer = argument('peer') as ClusterPeer;
  if (!CLUSTER_PEERS.includes(peer)) throw new Error(`Unknown cluster peer ${peer}`);
  const server = await starters[peer]({ redisUrl: argument('redis'), nodeId: argument('node-id') });
  serveRpc(
    {
      waitForClients: ({ count, timeoutMs }: { count: number; timeoutMs: number }) =>
        firstValueFrom(
          interval(20).pipe(
            startWith(0),
            map(() => server.clientCount()),
            filter((connected) => connected >= count),
            timeout({ first: timeoutMs, with: () => Promise.reject(new Error(`only ${server.clientCount()} of ${count} clients connected`)) }),
          ),
        ),
      /** Resolves once this node's presence counts `count` clients on every node (at once for a server without such a count). */
      waitForCluster: ({ count, timeoutMs }: { count: number; timeoutMs: number }) =>
        firstValueFrom(
          interval(20).pipe(
            startWith(0),
            map(() => server.clusterCount()),
            filter((counted) => counted === undefined || counted >= count),
            timeout({ first: timeoutMs, with: () => Promise.reject(new Error(`presence counts ${server.clusterCount() ?? '?'} of ${count} clients`)) }),
          ),
        ),
      broadcast: async ({ messages, payloadBytes, round }: ClusterBroadcastParams): Promise<BroadcastTiming> => {
        const bodies = Array.from({ length: messages }, (_, seq) => fanoutMessage(round, seq, payloadBytes));
        const startedAt = nowMs();
        for (const body of bodies) await server.broadcast(body);
        return { startedAt, handedOverAt: nowMs() };
      },
      sendToSeries: (params: SendToSeriesParams) => sendToSeries(server, params),
      redisCommands: () => server.redisCommands() ?? null,
      cpu: () => cpuSample(),
      stop: async () => {
        await server.stop();
        setImmediate(() => process.exit(0));
      },
    },
    { port: server.port },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
