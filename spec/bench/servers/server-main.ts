/**
 * A server under test, as its own process: `node --expose-gc --import tsx server-main.ts --peer nexus`.
 * The driver drives it over IPC: wait for clients, broadcast, measure memory, stop.
 */
import { writeHeapSnapshot } from 'node:v8';
import { filter, firstValueFrom, interval, map, startWith, timeout } from 'rxjs';
import { TRANSPORT_PEERS, type FanoutVariant, type TransportPeer } from '../config.js';
import { argument, serveRpc } from '../rpc.js';
import { cpuSample, nowMs } from '../stats.js';
import { fanoutMessage } from './fanout-message.js';
import { measureMemory } from './memory.js';
import { startNexusServer } from './nexus-server.js';
import type { PeerServer } from './peer-server.js';
import { startSocketIoServer } from './socketio-server.js';
import { startRawWsServer } from './ws-server.js';

const starters: Record<TransportPeer, () => Promise<PeerServer>> = {
  nexus: startNexusServer,
  ws: startRawWsServer,
  socketio: startSocketIoServer,
};

export interface BroadcastParams {
  readonly messages: number;
  readonly payloadBytes: number;
  readonly round: number;
  readonly variant: FanoutVariant;
}

/** When the first broadcast started and when the server had handed the last one to its sockets. */
export interface BroadcastTiming {
  readonly startedAt: number;
  readonly handedOverAt: number;
}


async function main(): Promise<void> {
  const peer = argument('peer') as TransportPeer;
  if (!TRANSPORT_PEERS.includes(peer)) throw new Error(`Unknown peer ${peer}`);
  const server = await starters[peer]();
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
      broadcast: async ({ messages, payloadBytes, round, variant }: BroadcastParams): Promise<BroadcastTiming> => {
        const bodies = Array.from({ length: messages }, (_, seq) => fanoutMessage(round, seq, payloadBytes));
        const startedAt = nowMs();
        for (const body of bodies) {
          await server.broadcast(body);
          // Per turn: the next broadcast waits for the next turn of the event loop, as one set off by another event would.
          if (variant === 'per-turn') await new Promise((resolve) => setImmediate(resolve));
        }
        return { startedAt, handedOverAt: nowMs() };
      },
      memory: () => measureMemory(),
      heapSnapshot: async ({ path }: { path: string }) => {
        await measureMemory();
        return writeHeapSnapshot(path);
      },
      clientCount: () => server.clientCount(),
      cpu: () => cpuSample(),
      stop: async () => {
        await server.stop();
        // Exit after the reply has gone out; a normal exit is what lets --cpu-prof write its file.
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
