/**
 * The benchmark driver: `npm run bench` (full), `npm run bench:smoke` (seconds).
 *
 * Starts each server under test and each load generator as separate processes (pinned to different
 * cores when `taskset` exists), runs the workloads of issue 5 one after the other, writes the JSON
 * results and, for a complete full run, the table and chart in docs/benchmarks.md.
 *
 * Options: --smoke, --only rtt,fanout,idle,mcp,cluster, --peers ws,nexus,socketio, --legs <mcp legs>,
 * --variants back-to-back,per-turn (fanout), --cluster-clients N (cluster; default 10000),
 * --profile (servers under --cpu-prof into spec/bench/profiles/), --no-pin, --out <file>,
 * --verbose (children's output), --no-report, --no-build (reuse the last compile of src/).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILD_DIR, buildSources } from './build.js';
import { detectPlacement, killAllChildren, REPO_ROOT } from './child.js';
import {
  CLUSTER_PEERS,
  FANOUT_VARIANTS,
  FULL_CONFIG,
  MCP_LEGS,
  SMOKE_CONFIG,
  TRANSPORT_PEERS,
  WORKLOADS,
  type ClusterPeer,
  type McpLeg,
  type TransportPeer,
  type Workload,
} from './config.js';
import { collectMeta } from './meta.js';
import { writeReport } from './report/write-report.js';
import type { BenchResults, ClusterRow, FanoutRow, IdleRow, McpRow, RttRow } from './results.js';
import { runCluster } from './workloads/cluster.js';
import { runFanout } from './workloads/fanout.js';
import { runIdle } from './workloads/idle.js';
import { runMcp } from './workloads/mcp.js';
import { runRtt } from './workloads/rtt.js';
import type { RunContext } from './workloads/context.js';

export const LATEST_RESULTS = join(REPO_ROOT, 'spec/bench/results/latest.json');

function pick<T extends string>(option: string | undefined, all: readonly T[], what: string): readonly T[] {
  if (option === undefined) return all;
  const chosen = option.split(',').map((name) => name.trim());
  const unknown = chosen.filter((name) => !(all as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`Unknown ${what}: ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  return chosen as T[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      peers: { type: 'string' },
      legs: { type: 'string' },
      variants: { type: 'string' },
      'cluster-clients': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'no-report': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const base = values.smoke ? SMOKE_CONFIG : FULL_CONFIG;
  const clusterClients = values['cluster-clients'] === undefined ? base.cluster.clients : Number(values['cluster-clients']);
  if (!(clusterClients >= 2)) throw new Error(`--cluster-clients must be a number of at least 2, got ${values['cluster-clients'] ?? ''}`);
  const config = {
    ...base,
    fanout: { ...base.fanout, variants: pick(values.variants, FANOUT_VARIANTS, 'fanout variant') },
    cluster: { ...base.cluster, clients: clusterClients },
  };
  const workloads: readonly Workload[] = pick(values.only, WORKLOADS, 'workload');
  const peers: readonly TransportPeer[] = pick(values.peers, TRANSPORT_PEERS, 'peer');
  const legs: readonly McpLeg[] = pick(values.legs, MCP_LEGS, 'mcp leg');
  // The cluster workload's peers are those of --peers that it has (it has no raw ws peer).
  const clusterPeers: readonly ClusterPeer[] = CLUSTER_PEERS.filter((peer) => peers.includes(peer));
  const complete =
    values.only === undefined && values.peers === undefined && values.legs === undefined && values.variants === undefined && values['cluster-clients'] === undefined;
  const out = values.out ?? (complete && !values.smoke ? LATEST_RESULTS : join(REPO_ROOT, `spec/bench/results/${config.mode}.tmp.json`));
  const placement = detectPlacement(values['no-pin'], cpus().length);
  const context: RunContext = {
    config,
    placement,
    verbose: values.verbose,
    profileDir: values.profile ? join(REPO_ROOT, 'spec/bench/profiles') : undefined,
    failures: [],
    log: (line) => console.log(line),
  };
  const started = performance.now();
  if (!values['no-build'] || !existsSync(BUILD_DIR)) {
    const { warning } = buildSources();
    if (warning) console.warn(warning);
  }
  const meta = collectMeta(config, placement, 0);
  const busy = meta.loadAverageAtStart[0] ?? 0;
  if (busy > meta.cores / 2) {
    console.warn(`warning: load average ${busy} on ${meta.cores} cores: other processes will share the cores and skew the numbers`);
  }
  console.log(
    `nexus-mcp benchmarks (${config.mode}): ${meta.cores} cores, ` +
      (placement.pinned ? `server on core ${placement.serverCore}, load on core ${placement.loadCore}` : 'not pinned') +
      `, open files per child ${meta.openFiles.granted} (asked ${meta.openFiles.wanted}, hard ${meta.openFiles.hard})`,
  );

  const rtt: RttRow[] = [];
  const fanout: FanoutRow[] = [];
  const idle: IdleRow[] = [];
  const mcp: McpRow[] = [];
  const cluster: ClusterRow[] = [];
  if (workloads.includes('rtt')) {
    console.log('rtt');
    rtt.push(...(await runRtt(context, peers)));
  }
  if (workloads.includes('fanout')) {
    console.log('fanout');
    fanout.push(...(await runFanout(context, peers)));
  }
  if (workloads.includes('idle')) {
    console.log('idle');
    for (const peer of peers) {
      const row = await runIdle(context, peer);
      if (row) idle.push(row);
    }
  }
  if (workloads.includes('mcp')) {
    console.log('mcp');
    mcp.push(...(await runMcp(context, legs)));
  }
  if (workloads.includes('cluster')) {
    console.log('cluster');
    cluster.push(...(await runCluster(context, clusterPeers)));
  }

  const results: BenchResults = {
    meta: { ...meta, durationSeconds: Math.round((performance.now() - started) / 100) / 10 },
    rtt,
    fanout,
    idle,
    mcp,
    cluster,
    failures: context.failures,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${relative(REPO_ROOT, out)} (${results.meta.durationSeconds} s)`);
  if (out === LATEST_RESULTS && !values['no-report']) {
    for (const written of writeReport(results)) console.log(`report: ${relative(REPO_ROOT, written)}`);
  }
  if (context.failures.length > 0) {
    console.error(`${context.failures.length} workload(s) failed:`);
    for (const failure of context.failures) console.error(`- ${failure.workload} ${failure.subject}: ${failure.error.split('\n')[0] ?? ''}`);
    return 1;
  }
  return 0;
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    killAllChildren();
    process.exit(1);
  },
);
