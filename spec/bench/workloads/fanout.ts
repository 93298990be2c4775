import type { ChildHandle } from '../child.js';
import type { FanoutVariant, TransportPeer } from '../config.js';
import type { OpenParams, OpenResult, RoundResult } from '../load/load-main.js';
import { urlFor } from '../load/peer-clients.js';
import type { FanoutRound, FanoutRow } from '../results.js';
import type { BroadcastParams, BroadcastTiming } from '../servers/server-main.js';
import { cpuBetween, median, type CpuSample } from '../stats.js';
import { percent, portOf, startPeerLoad, startPeerServer, withChildren, type RunContext } from './context.js';

interface Side {
  readonly peer: TransportPeer;
  readonly server: ChildHandle;
  readonly load: ChildHandle;
  readonly opened: OpenResult;
  readonly rounds: Record<FanoutVariant, FanoutRound[]>;
  failed: boolean;
}

/**
 * fanout: N clients connected to every server at once; in turn, each server broadcasts `messages`
 * messages, back to back in one turn of its event loop or each in a turn of its own (the two
 * variants), and we time from its first broadcast call until its last client has the last
 * message. Cycles of turns repeat while the time budget lasts; the median round is the result.
 */
export async function runFanout(context: RunContext, peers: readonly TransportPeer[]): Promise<FanoutRow[]> {
  const { clients, messages, payloadBytes, rounds, budgetMs } = context.config.fanout;
  const { stepTimeoutMs, openConcurrency } = context.config;
  const rows: FanoutRow[] = [];
  for (const count of clients) {
    const start = (): ChildHandle[] =>
      peers.flatMap((peer) => [startPeerServer(context, peer, `fanout${count}`), startPeerLoad(context, peer)]);
    await withChildren(context, 'fanout', `${peers.join(', ')} N=${count}`, start, async (children) => {
      const sides: Side[] = [];
      for (const [index, peer] of peers.entries()) {
        const server = children[2 * index];
        const load = children[2 * index + 1];
        if (!server || !load) throw new Error(`children of ${peer} missing`);
        const openParams: OpenParams = { url: urlFor(peer, await portOf(server)), connections: count, concurrency: openConcurrency };
        const opened = await load.request<OpenResult>('openConnections', openParams, stepTimeoutMs);
        await server.request('waitForClients', { count, timeoutMs: stepTimeoutMs / 2 }, stepTimeoutMs);
        sides.push({ peer, server, load, opened, rounds: { 'back-to-back': [], 'per-turn': [] }, failed: false });
      }
      const started = performance.now();
      for (let round = 0; round < rounds && (round === 0 || performance.now() - started < budgetMs); round += 1) {
        for (const [side, variant] of sides.flatMap((candidate) => context.config.fanout.variants.map((v) => [candidate, v] as const))) {
          if (side.failed) continue;
          try {
            side.rounds[variant].push(await broadcastRound(context, side, round, variant));
          } catch (error) {
            // One server failing leaves the others' turns going.
            side.failed = true;
            const message = error instanceof Error ? error.message : String(error);
            context.failures.push({ workload: 'fanout', subject: `${side.peer} N=${count}`, error: message });
            context.log(`  fanout ${side.peer} N=${count} FAILED: ${message}`);
          }
        }
      }
      for (const { peer, opened, rounds: byVariant, load, failed } of sides) {
        if (failed) continue;
        for (const variant of context.config.fanout.variants) {
          const measured = byVariant[variant];
          const row: FanoutRow = {
            peer,
            clients: count,
            variant,
            messages,
            payloadBytes,
            connectPerSecond: opened.opened / (opened.elapsedMs / 1000),
            rounds: measured,
            deliveriesPerSecond: median(measured.map((round) => round.deliveriesPerSecond)),
            lastDeliveryMs: median(measured.map((round) => round.lastDeliveryMs)),
          };
          rows.push(row);
          context.log(
            `  fanout ${peer} N=${count} ${variant}: ${(row.deliveriesPerSecond / 1000).toFixed(0)}k deliveries/s, ` +
              `last delivery after ${row.lastDeliveryMs.toFixed(1)} ms (median of ${measured.length} rounds), ` +
              `server CPU ${percent(median(measured.map((round) => round.serverCpu)))}`,
          );
        }
        await load.request('closeAll', {}, stepTimeoutMs);
      }
    });
  }
  return rows;
}

/** One round on one server: arm the clients' counters, broadcast, wait until every client has every message. */
async function broadcastRound(context: RunContext, { server, load }: Side, round: number, variant: FanoutVariant): Promise<FanoutRound> {
  const { messages, payloadBytes } = context.config.fanout;
  const { stepTimeoutMs } = context.config;
  await load.request('arm', { messages }, stepTimeoutMs);
  const cpuBefore = await server.request<CpuSample>('cpu', {}, stepTimeoutMs);
  const broadcast: BroadcastParams = { messages, payloadBytes, round, variant };
  const [timing, got] = await Promise.all([
    server.request<BroadcastTiming>('broadcast', broadcast, stepTimeoutMs),
    load.request<RoundResult>('collect', { timeoutMs: stepTimeoutMs }, stepTimeoutMs + 5_000),
  ]);
  const cpuAfter = await server.request<CpuSample>('cpu', {}, stepTimeoutMs);
  if (got.delivered < got.expected) {
    throw new Error(`round ${round}: ${got.delivered} of ${got.expected} deliveries arrived within ${stepTimeoutMs} ms`);
  }
  const lastDeliveryMs = got.lastCompleteAt - timing.startedAt;
  return {
    delivered: got.delivered,
    expected: got.expected,
    lastDeliveryMs,
    handOverMs: timing.handedOverAt - timing.startedAt,
    deliveriesPerSecond: got.delivered / (lastDeliveryMs / 1000),
    serverCpu: cpuBetween(cpuBefore, cpuAfter),
  };
}
