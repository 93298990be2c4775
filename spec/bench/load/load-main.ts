/**
 * The load generator of the transport workloads, as its own process:
 * `node --import tsx load-main.ts --peer ws`. The driver calls its methods over IPC.
 */
import { firstValueFrom, timer, type Subscription } from 'rxjs';
import { TRANSPORT_PEERS, type TransportPeer } from '../config.js';
import { argument, serveRpc } from '../rpc.js';
import { nowMs, runClosedLoop, type ClosedLoopResult } from '../stats.js';
import { openProbe, type Probe } from '../cluster/probe.js';
import { connectorFor, openMany, type LoadConnection } from './peer-clients.js';

export interface RttParams {
  readonly url: string;
  readonly clients: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly payloadBytes: number;
}

export interface OpenParams {
  readonly url: string;
  readonly connections: number;
  readonly concurrency: number;
}

export interface OpenResult {
  readonly opened: number;
  readonly elapsedMs: number;
}

/** When each client had every message of a round: the first and the last of them. */
export interface RoundResult {
  readonly delivered: number;
  readonly expected: number;
  readonly firstCompleteAt: number;
  readonly lastCompleteAt: number;
}

const peer = argument('peer') as TransportPeer;
if (!TRANSPORT_PEERS.includes(peer)) throw new Error(`Unknown peer ${peer}`);
const connect = connectorFor(peer);

let open: LoadConnection[] = [];
let round: { expected: number; received: Uint32Array; delivered: number; complete: number; first: number; last: number } | undefined;
let roundDone: ((result: RoundResult) => void) | undefined;
let deadline: Subscription | undefined;

async function rtt({ url, clients, warmupMs, durationMs, payloadBytes }: RttParams): Promise<ClosedLoopResult> {
  const { connections } = await openMany(connect, url, clients, clients);
  const data = 'x'.repeat(payloadBytes);
  try {
    const callers = connections.map((connection) => {
      let id = 0;
      return () => connection.request((id += 1), data);
    });
    return await runClosedLoop(callers, warmupMs, durationMs);
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** Opens connections and keeps them; each counts broadcast messages for the current round. */
async function openConnections({ url, connections, concurrency }: OpenParams): Promise<OpenResult> {
  const opened = await openMany(connect, url, connections, concurrency);
  open = opened.connections;
  open.forEach((connection, index) => {
    connection.onBroadcast(() => {
      if (!round) return;
      round.delivered += 1;
      const received = (round.received[index] ?? 0) + 1;
      round.received[index] = received;
      if (received !== round.expected) return;
      const at = nowMs();
      round.complete += 1;
      if (round.complete === 1) round.first = at;
      round.last = at;
      if (round.complete === open.length) finishRound();
    });
  });
  return { opened: open.length, elapsedMs: opened.elapsedMs };
}

/** Resets the counters for a round of `messages` broadcasts. */
function arm({ messages }: { messages: number }): void {
  round = { expected: messages, received: new Uint32Array(open.length), delivered: 0, complete: 0, first: Number.NaN, last: Number.NaN };
}

/** Resolves when every client has every message of the round, or after `timeoutMs` with what arrived. */
function collect({ timeoutMs }: { timeoutMs: number }): Promise<RoundResult> {
  return new Promise((resolve) => {
    roundDone = resolve;
    // The round may have completed before this request arrived.
    if (round && round.complete === open.length) finishRound();
    else deadline = timer(timeoutMs).subscribe(finishRound);
  });
}

function finishRound(): void {
  if (!round || !roundDone) return;
  deadline?.unsubscribe();
  const { delivered, expected, first, last } = round;
  roundDone({ delivered, expected: expected * open.length, firstCompleteAt: first, lastCompleteAt: last });
  roundDone = undefined;
  round = undefined;
}

let probe: Probe | undefined;

/** Opens the cluster workload's probe client (see probe.ts); answers the id to `sendTo`. */
async function startProbe({ url }: { url: string }): Promise<{ clientId: string }> {
  probe?.close();
  probe = await openProbe(peer, url);
  // Arrivals are keyed by seq: what a warm-up sent must not stand in for a measured one.
  return { clientId: probe.clientId };
}

/** When directed messages 0 … count - 1 reached the probe (null for those that did not within `timeoutMs`). */
async function probeArrivals({ count, timeoutMs }: { count: number; timeoutMs: number }): Promise<(number | null)[]> {
  const current = probe;
  if (!current) throw new Error('no probe open');
  const deadline = nowMs() + timeoutMs;
  const arrived = (): boolean => Array.from({ length: count }, (_, seq) => seq).every((seq) => current.arrivals.has(seq));
  while (!arrived() && nowMs() < deadline) await firstValueFrom(timer(10));
  return Array.from({ length: count }, (_, seq) => current.arrivals.get(seq) ?? null);
}

function closeAll(): number {
  probe?.close();
  probe = undefined;
  const closed = open.length;
  for (const connection of open) connection.close();
  open = [];
  return closed;
}

serveRpc({
  rtt,
  openConnections,
  arm,
  collect,
  closeAll,
  startProbe,
  probeArrivals,
  stop: () => {
    closeAll();
    setImmediate(() => process.exit(0));
  },
});
