import { ChildHandle } from '../child.js';
import { CLUSTER_PEERS, type ClusterPeer } from '../config.js';
import type { ClusterBroadcastParams, SendToSeriesResult } from '../cluster/cluster-server-main.js';
import { commandsBetween, RedisCommandCounter } from '../cluster/redis-commands.js';
import type { OpenResult, RoundResult } from '../load/load-main.js';
import { urlFor } from '../load/peer-clients.js';
import type { ClusterRound, ClusterRow } from '../results.js';
import type { BroadcastTiming } from '../servers/server-main.js';
import { cpuBetween, LatencyRecorder, median, type CpuSample } from '../stats.js';
import { RedisServer } from '../../support/redis-server.js';
import { percent, portOf, startPeerLoad, withChildren, type RunContext } from './context.js';

/** One peer's cluster: its own redis-server, nodes A and B, and a load generator for each node's clients. */
interface Side {
  readonly peer: ClusterPeer;
  readonly redis: RedisServer;
  readonly commands: RedisCommandCounter;
  readonly nodeA: ChildHandle;
  readonly nodeB: ChildHandle;
  readonly loadA: ChildHandle;
  readonly loadB: ChildHandle;
  readonly rounds: ClusterRound[];
  connectPerSecond: number;
  failed: boolean;
}

/**
 * cluster: two server nodes per peer on a fresh redis-server of their own, the clients split
 * between them. In turn, each peer's node A broadcasts `messages` messages back to back; we time
 * from its first broadcast call until the last client of either node has the last message, and
 * count the commands Redis ran meanwhile. Then `sendTo` latency: a client on node B, the sends
 * issued on node A, timed until the client has each.
 */
export async function runCluster(context: RunContext, peers: readonly ClusterPeer[] = CLUSTER_PEERS): Promise<ClusterRow[]> {
  const { clients, rounds } = context.config.cluster;
  const redisServers: RedisServer[] = [];
  const counters: RedisCommandCounter[] = [];
  // The driver may exit without unwinding (Ctrl-C): its redis-servers go with it.
  const killRedis = (): void => redisServers.forEach((redis) => void redis.kill());
  process.on('exit', killRedis);
  try {
    for (const _ of peers) {
      const redis = await RedisServer.start();
      redisServers.push(redis);
      counters.push(await RedisCommandCounter.connect(redis.url));
    }
    const start = (): ChildHandle[] =>
      peers.flatMap((peer, index) => {
        const url = redisServers[index]?.url ?? '';
        return [startClusterNode(context, peer, url, 'a'), startClusterNode(context, peer, url, 'b'), startPeerLoad(context, peer), startPeerLoad(context, peer)];
      });
    const rows = await withChildren(context, 'cluster', `${peers.join(', ')} N=${clients}`, start, async (children) => {
      // One peer after the other: every load generator shares one core, and opening is its busiest time.
      const sides: Side[] = [];
      for (const [index, peer] of peers.entries()) sides.push(await openSide(context, peer, redisServers, counters, children, index));
      for (let round = 0; round < rounds; round += 1) {
        for (const side of sides.filter((candidate) => !candidate.failed)) {
          try {
            side.rounds.push(await broadcastRound(context, side, round));
          } catch (error) {
            fail(context, side, error);
          }
        }
      }
      const measured: ClusterRow[] = [];
      for (const side of sides.filter((candidate) => !candidate.failed)) {
        try {
          measured.push(summarise(context, side, await sendToLatency(context, side)));
        } catch (error) {
          fail(context, side, error);
        }
        await Promise.all([side.loadA.request('closeAll', {}, context.config.stepTimeoutMs), side.loadB.request('closeAll', {}, context.config.stepTimeoutMs)]);
      }
      return measured;
    });
    return rows ?? [];
  } finally {
    await Promise.all(counters.map((counter) => counter.close().catch(() => undefined)));
    await Promise.all(redisServers.map((redis) => redis.stop()));
    process.off('exit', killRedis);
  }
}

function startClusterNode(context: RunContext, peer: ClusterPeer, redisUrl: string, nodeId: string): ChildHandle {
  return ChildHandle.start(
    {
      label: `cluster ${peer} node ${nodeId}`,
      script: 'spec/bench/cluster/cluster-server-main.ts',
      args: ['--peer', peer, '--redis', redisUrl, '--node-id', nodeId],
      core: context.placement.serverCore,
    },
    context.placement,
    context.verbose,
  );
}

/** Connects half the clients to each node of one peer. */
async function openSide(
  context: RunContext,
  peer: ClusterPeer,
  redisServers: readonly RedisServer[],
  counters: readonly RedisCommandCounter[],
  children: readonly ChildHandle[],
  index: number,
): Promise<Side> {
  const [nodeA, nodeB, loadA, loadB] = children.slice(index * 4, index * 4 + 4);
  const redis = redisServers[index];
  const commands = counters[index];
  if (!nodeA || !nodeB || !loadA || !loadB || !redis || !commands) throw new Error(`children of ${peer} missing`);
  const { clients } = context.config.cluster;
  const { stepTimeoutMs, openConcurrency } = context.config;
  const half = [Math.ceil(clients / 2), Math.floor(clients / 2)] as const;
  const [openedA, openedB] = await Promise.all([
    loadA.request<OpenResult>('openConnections', { url: urlFor(peer, await portOf(nodeA)), connections: half[0], concurrency: openConcurrency }, stepTimeoutMs),
    loadB.request<OpenResult>('openConnections', { url: urlFor(peer, await portOf(nodeB)), connections: half[1], concurrency: openConcurrency }, stepTimeoutMs),
  ]);
  await Promise.all([
    nodeA.request('waitForClients', { count: half[0], timeoutMs: stepTimeoutMs / 2 }, stepTimeoutMs),
    nodeB.request('waitForClients', { count: half[1], timeoutMs: stepTimeoutMs / 2 }, stepTimeoutMs),
  ]);
  // Presence must have every client before a round: registering 10k clients is work of its own.
  await nodeA.request('waitForCluster', { count: clients, timeoutMs: stepTimeoutMs / 2 }, stepTimeoutMs);
  const connectPerSecond = (openedA.opened + openedB.opened) / (Math.max(openedA.elapsedMs, openedB.elapsedMs) / 1000);
  return { peer, redis, commands, nodeA, nodeB, loadA, loadB, rounds: [], connectPerSecond, failed: false };
}

/** One round: arm both nodes' clients, broadcast on A, wait until every client of both has every message. */
async function broadcastRound(context: RunContext, side: Side, round: number): Promise<ClusterRound> {
  const { messages, payloadBytes } = context.config.cluster;
  const { stepTimeoutMs } = context.config;
  const { nodeA, nodeB, loadA, loadB, commands } = side;
  await Promise.all([loadA.request('arm', { messages }, stepTimeoutMs), loadB.request('arm', { messages }, stepTimeoutMs)]);
  const commandsBefore = await commands.byCommand();
  const busBefore = await busCommands(side);
  const [cpuA0, cpuB0] = await Promise.all([nodeA.request<CpuSample>('cpu', {}, stepTimeoutMs), nodeB.request<CpuSample>('cpu', {}, stepTimeoutMs)]);
  const broadcast: ClusterBroadcastParams = { messages, payloadBytes, round };
  const [timing, gotA, gotB] = await Promise.all([
    nodeA.request<BroadcastTiming>('broadcast', broadcast, stepTimeoutMs),
    loadA.request<RoundResult>('collect', { timeoutMs: stepTimeoutMs }, stepTimeoutMs + 5_000),
    loadB.request<RoundResult>('collect', { timeoutMs: stepTimeoutMs }, stepTimeoutMs + 5_000),
  ]);
  const [cpuA1, cpuB1] = await Promise.all([nodeA.request<CpuSample>('cpu', {}, stepTimeoutMs), nodeB.request<CpuSample>('cpu', {}, stepTimeoutMs)]);
  const commandsAfter = await commands.byCommand();
  const busAfter = await busCommands(side);
  const delivered = gotA.delivered + gotB.delivered;
  const expected = gotA.expected + gotB.expected;
  if (delivered < expected) {
    throw new Error(`round ${round}: ${delivered} of ${expected} deliveries arrived within ${stepTimeoutMs} ms (node A ${gotA.delivered}/${gotA.expected}, node B ${gotB.delivered}/${gotB.expected})`);
  }
  const lastDeliveryMs = Math.max(gotA.lastCompleteAt, gotB.lastCompleteAt) - timing.startedAt;
  return {
    delivered,
    expected,
    lastDeliveryMs,
    remoteLastDeliveryMs: gotB.lastCompleteAt - timing.startedAt,
    deliveriesPerSecond: delivered / (lastDeliveryMs / 1000),
    redisCommandsPerBroadcast: total(commandsBetween(commandsBefore, commandsAfter, messages)),
    redisCommandsByName: commandsBetween(commandsBefore, commandsAfter, messages),
    busCommandsPerBroadcast: busBefore === null || busAfter === null ? null : (busAfter - busBefore) / messages,
    serverCpuA: cpuBetween(cpuA0, cpuA1),
    serverCpuB: cpuBetween(cpuB0, cpuB1),
  };
}

type SendToMeasure = ClusterRow['sendTo'];

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((sum, count) => sum + count, 0);

/** A probe client on node B; paced `sendTo` calls on node A; latency from each call to the probe's receipt. */
async function sendToLatency(context: RunContext, side: Side): Promise<SendToMeasure> {
  const { sendToSamples, sendToIntervalMs } = context.config.cluster;
  const { stepTimeoutMs } = context.config;
  const { nodeA, nodeB, loadB, commands } = side;
  const { clientId } = await loadB.request<{ clientId: string }>('startProbe', { url: urlFor(side.peer, await portOf(nodeB)) }, stepTimeoutMs);
  // Presence may take a renew interval to learn of the probe: until a send finds it, keep trying.
  const deadline = performance.now() + stepTimeoutMs / 2;
  for (;;) {
    const warmup = await nodeA.request<SendToSeriesResult>('sendToSeries', { clientId, count: 1, intervalMs: 0, firstSeq: -1 }, stepTimeoutMs);
    if (warmup.failed === 0) break;
    if (performance.now() > deadline) throw new Error(`sendTo never found the probe ${clientId} on node B`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const commandsBefore = await commands.byCommand();
  const busBefore = await busCommands(side);
  const series = await nodeA.request<SendToSeriesResult>(
    'sendToSeries',
    { clientId, count: sendToSamples, intervalMs: sendToIntervalMs, firstSeq: 0 },
    sendToSamples * sendToIntervalMs * 2 + stepTimeoutMs,
  );
  const arrivals = await loadB.request<(number | null)[]>('probeArrivals', { count: sendToSamples, timeoutMs: 10_000 }, stepTimeoutMs);
  const commandsAfter = await commands.byCommand();
  const busAfter = await busCommands(side);
  const recorder = new LatencyRecorder();
  arrivals.forEach((at, seq) => {
    const sent = series.sentAt[seq];
    if (at !== null && sent !== undefined) recorder.record(at - sent);
  });
  const [p50Ms = Number.NaN, p99Ms = Number.NaN] = recorder.percentiles(50, 99);
  const perSend = commandsBetween(commandsBefore, commandsAfter, sendToSamples);
  return {
    samples: sendToSamples,
    delivered: recorder.count,
    p50Ms,
    p99Ms,
    redisCommandsPerSend: total(perSend),
    redisCommandsByName: perSend,
    busCommandsPerSend: busBefore === null || busAfter === null ? null : (busAfter - busBefore) / sendToSamples,
  };
}

/** The commands both nodes' Redis layer sent, by its own count (RedisBus's `commands`); `null` for a peer without one. */
async function busCommands({ nodeA, nodeB }: Side): Promise<number | null> {
  const [a, b] = await Promise.all([nodeA.request<number | null>('redisCommands', {}, 10_000), nodeB.request<number | null>('redisCommands', {}, 10_000)]);
  return a === null || b === null ? null : a + b;
}

function summarise(context: RunContext, side: Side, sendTo: SendToMeasure): ClusterRow {
  const { clients, messages, payloadBytes } = context.config.cluster;
  const row: ClusterRow = {
    peer: side.peer,
    clients,
    nodes: 2,
    messages,
    payloadBytes,
    connectPerSecond: side.connectPerSecond,
    rounds: side.rounds,
    deliveriesPerSecond: median(side.rounds.map((round) => round.deliveriesPerSecond)),
    lastDeliveryMs: median(side.rounds.map((round) => round.lastDeliveryMs)),
    redisCommandsPerBroadcast: median(side.rounds.map((round) => round.redisCommandsPerBroadcast)),
    busCommandsPerBroadcast: side.rounds.some((round) => round.busCommandsPerBroadcast === null)
      ? null
      : median(side.rounds.map((round) => round.busCommandsPerBroadcast ?? Number.NaN)),
    sendTo,
  };
  context.log(
    `  cluster ${side.peer} N=${clients}: ${(row.deliveriesPerSecond / 1000).toFixed(0)}k deliveries/s, last delivery after ${row.lastDeliveryMs.toFixed(1)} ms ` +
      `(median of ${side.rounds.length}), ${row.redisCommandsPerBroadcast.toFixed(2)} Redis commands per broadcast, CPU A ${percent(median(side.rounds.map((round) => round.serverCpuA)))} ` +
      `B ${percent(median(side.rounds.map((round) => round.serverCpuB)))}; sendTo A→B p50 ${sendTo.p50Ms.toFixed(2)} ms p99 ${sendTo.p99Ms.toFixed(2)} ms ` +
      `(${sendTo.delivered}/${sendTo.samples}), ${sendTo.redisCommandsPerSend.toFixed(2)} Redis commands per send; ` +
      `per broadcast ${JSON.stringify(side.rounds.at(-1)?.redisCommandsByName ?? {})}, per send ${JSON.stringify(sendTo.redisCommandsByName)}`,
  );
  return row;
}

function fail(context: RunContext, side: Side, error: unknown): void {
  side.failed = true;
  const message = error instanceof Error ? error.message : String(error);
  context.failures.push({ workload: 'cluster', subject: `${side.peer} N=${context.config.cluster.clients}`, error: message });
  context.log(`  cluster ${side.peer} FAILED: ${message}`);
}
