import type { BenchResults } from '../results.js';
import { isMeasuredMcpRow } from '../results.js';
import { MCP_LEGS } from '../config.js';
import { median } from '../stats.js';
import { clusterMetric, compare, fanoutMetric, judgeTargets, type Comparison } from './comparisons.js';

const integer = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(value < 10 ? 3 : 1) : '–');
const kib = (bytes: number): string => (Number.isFinite(bytes) ? (bytes / 1024).toFixed(2) : '–');
const cpu = (share: number | null): string => (share !== null && Number.isFinite(share) ? `${Math.round(share * 100)}%` : '–');
const times = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(2)}×`);

/** A markdown table; the first `textColumns` columns align left, the (numeric) rest right. */
function table(header: readonly string[], rows: readonly (readonly string[])[], textColumns = 1): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, index) => (index < textColumns ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function ratioOf(comparisons: readonly Comparison[], metric: string, subject: string): number | undefined {
  return comparisons.find((comparison) => comparison.metric === metric && comparison.subject === subject)?.ratio;
}

/** The generated part of docs/benchmarks.md: run facts, targets, one table per workload, the chart. */
export function renderMarkdown(results: BenchResults, chartFile: string): string {
  const { meta } = results;
  const comparisons = compare(results);
  const sections: string[] = [];
  sections.push(
    `Run of ${meta.date.slice(0, 16).replace('T', ' ')} UTC (${meta.mode}, ${meta.durationSeconds} s) on ${meta.cpuModel}, ` +
      `${meta.cores} cores, ${meta.os}, Node ${meta.node}; ` +
      (meta.pinned ? `server pinned to core ${meta.serverCore}, load generator to core ${meta.loadCore}` : 'processes not pinned') +
      `; open-file limit per process ${meta.openFiles.granted}; load average at start ${meta.loadAverageAtStart.join(', ')}; ` +
      `commit ${meta.gitCommit}${meta.gitDirty ? ' with uncommitted changes in src/' : ''}. ` +
      `Versions: ${Object.entries(meta.versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}.`,
  );
  sections.push(
    '### Targets\n\n' +
      table(
        ['target', 'verdict', 'measured'],
        judgeTargets(results).map((verdict) => [
          verdict.target,
          verdict.pass === undefined ? 'not measured' : verdict.pass ? '**pass**' : '**fail**',
          times(verdict.measured),
        ]),
        2,
      ),
  );
  sections.push(
    '### rtt: request → reply through the message handler, closed loop\n\n' +
      table(
        ['server', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'req/s vs ws', 'p99 vs ws', 'CPU server', 'CPU load'],
        results.rtt.map((row) => [
          row.peer,
          String(row.clients),
          integer(row.perSecond),
          ms(row.p50Ms),
          ms(row.p99Ms),
          row.peer === 'ws' ? '1.00×' : times(ratioOf(comparisons, `rtt req/s C=${row.clients}`, row.peer)),
          row.peer === 'ws' ? '1.00×' : times(ratioOf(comparisons, `rtt p99 C=${row.clients}`, row.peer)),
          cpu(row.serverCpu),
          cpu(row.loadCpu),
        ]),
      ),
  );
  const fanoutRow = results.fanout[0];
  sections.push(
    `### fanout: ${fanoutRow ? `${fanoutRow.messages} broadcasts of ${fanoutRow.payloadBytes} bytes` : 'broadcasts'} to every client (median over the rounds)\n\n` +
      table(
        ['server', 'clients', 'broadcasts', 'rounds', 'deliveries/s', 'last delivery ms', 'server loop ms', 'deliveries/s vs ws', 'CPU server'],
        results.fanout.map((row) => [
          row.peer,
          integer(row.clients),
          row.variant === 'per-turn' ? 'one per turn' : 'back to back',
          String(row.rounds.length),
          integer(row.deliveriesPerSecond),
          ms(row.lastDeliveryMs),
          ms(median(row.rounds.map((round) => round.handOverMs))),
          row.peer === 'ws' ? '1.00×' : times(ratioOf(comparisons, fanoutMetric(row.clients, row.variant), row.peer)),
          cpu(median(row.rounds.map((round) => round.serverCpu))),
        ]),
      ),
  );
  sections.push(
    '### idle: memory per idle connection in the server (after a forced GC, minus the empty server)\n\n' +
      table(
        ['server', 'connections', 'heap KiB/conn', 'RSS KiB/conn', 'external KiB/conn', 'connections/s while opening', 'heap vs ws', 'RSS vs ws'],
        results.idle.map((row) => [
          row.peer,
          integer(row.connections),
          kib(row.heapPerConnection),
          kib(row.rssPerConnection),
          kib(row.externalPerConnection),
          integer(row.connectPerSecond),
          row.peer === 'ws' ? '1.00×' : times(ratioOf(comparisons, 'idle heap/conn', row.peer)),
          row.peer === 'ws' ? '1.00×' : times(ratioOf(comparisons, 'idle RSS/conn', row.peer)),
        ]),
      ),
  );
  sections.push(
    '### mcp: `tools/call` round trips, closed loop\n\n' +
      table(
        ['leg', 'clients', 'calls/s', 'p50 ms', 'p99 ms', 'calls/s vs SDK HTTP', 'CPU server', 'CPU load'],
        [...results.mcp]
          .sort((a, b) => a.clients - b.clients || MCP_LEGS.indexOf(a.leg) - MCP_LEGS.indexOf(b.leg))
          .map((row) =>
          isMeasuredMcpRow(row)
            ? [
                row.leg,
                String(row.clients),
                integer(row.perSecond),
                ms(row.p50Ms),
                ms(row.p99Ms),
                row.leg === 'sdk-http' ? '1.00×' : times(ratioOf(comparisons, `mcp calls/s C=${row.clients}`, row.leg)),
                cpu(row.serverCpu),
                cpu(row.loadCpu),
              ]
            : [row.leg, String(row.clients), `skipped: ${row.skipped}`, '', '', '', '', ''],
        ),
      ),
  );
  if (results.cluster && results.cluster.length > 0) sections.push(renderCluster(results.cluster, comparisons));
  if (results.failures.length > 0) {
    sections.push(
      '### Failures in this run\n\n' +
        results.failures.map((failure) => `- ${failure.workload} ${failure.subject}: ${failure.error.split('\n')[0] ?? ''}`).join('\n'),
    );
  }
  sections.push(`### Ratios\n\n![Ratios of nexus-mcp and socket.io to raw ws, and of the MCP legs to the SDK's Streamable HTTP](${chartFile})`);
  return sections.join('\n\n');
}

/** The cluster workload: fanout across two nodes on Redis, sendTo across them, and what Redis did. */
export function renderCluster(rows: NonNullable<BenchResults['cluster']>, comparisons: readonly Comparison[]): string {
  const first = rows[0];
  const name = (peer: string): string => (peer === 'nexus' ? 'nexus-mcp + RedisBus' : 'socket.io + redis-adapter');
  const perCommand = (calls: Readonly<Record<string, number>>): string =>
    Object.entries(calls)
      .filter(([, count]) => count >= 0.01)
      .map(([command, count]) => `${command} ${count.toFixed(2)}`)
      .join(', ');
  const trips = (value: number | null): string => (value === null ? '–' : value.toFixed(2));
  return (
    `### cluster: 2 nodes on one Redis, clients split between them, ${first ? `${first.messages} broadcasts of ${first.payloadBytes} bytes` : 'broadcasts'} on node A (median over the rounds)\n\n` +
    table(
      ['server', 'clients', 'rounds', 'deliveries/s', 'last delivery ms', 'node B last ms', 'vs socket.io', 'Redis cmds/broadcast', 'round trips/broadcast', 'sendTo p50 ms', 'sendTo p99 ms', 'Redis cmds/sendTo', 'round trips/sendTo', 'CPU A', 'CPU B'],
      rows.map((row) => [
        name(row.peer),
        integer(row.clients),
        String(row.rounds.length),
        integer(row.deliveriesPerSecond),
        ms(row.lastDeliveryMs),
        ms(median(row.rounds.map((round) => round.remoteLastDeliveryMs))),
        row.peer === 'socketio' ? '1.00×' : times(ratioOf(comparisons, clusterMetric(row.clients), row.peer)),
        row.redisCommandsPerBroadcast.toFixed(2),
        trips(row.busCommandsPerBroadcast),
        ms(row.sendTo.p50Ms),
        ms(row.sendTo.p99Ms),
        row.sendTo.redisCommandsPerSend.toFixed(2),
        trips(row.sendTo.busCommandsPerSend),
        cpu(median(row.rounds.map((round) => round.serverCpuA))),
        cpu(median(row.rounds.map((round) => round.serverCpuB))),
      ]),
    ) +
    '\n\nRedis commands as `INFO commandstats` counts them (both nodes, commands run inside Lua scripts included, background lease renewals during the measured time included), by command, in the last round: ' +
    rows.map((row) => `${name(row.peer)}: per broadcast ${perCommand(row.rounds.at(-1)?.redisCommandsByName ?? {})}; per sendTo ${perCommand(row.sendTo.redisCommandsByName)}`).join('. ') +
    '. Round trips: what the server\'s own Redis layer sent (RedisBus `commands`; socket.io\'s adapter has no such count).'
  );
}
