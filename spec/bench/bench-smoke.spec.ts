/**
 * The benchmark suite in miniature (`npm run bench:smoke` under Vitest): every workload, every
 * server, every MCP leg and the two-node cluster of each cluster peer must produce numbers. No timing thresholds: how fast is for
 * `npm run bench` to say. It takes about a minute, so the root vitest.config.ts leaves spec/bench out of
 * `npm test`; run it with `npx vitest run --config spec/bench/vitest.config.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './child.js';
import { CLUSTER_PEERS, FANOUT_VARIANTS, MCP_LEGS, SMOKE_CONFIG, TRANSPORT_PEERS } from './config.js';
import { isMeasuredMcpRow, type BenchResults } from './results.js';

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), 'nexus-bench-smoke-'));
const out = join(directory, 'smoke.json');

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const positive = (value: number): boolean => Number.isFinite(value) && value > 0;

describe('benchmark smoke run', () => {
  it('measures every workload for every server and MCP leg', async () => {
    await run(process.execPath, ['--import', 'tsx', 'spec/bench/driver.ts', '--smoke', '--no-report', '--out', out], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    expect(results.failures).toEqual([]);

    for (const peer of TRANSPORT_PEERS) {
      for (const clients of SMOKE_CONFIG.rtt.clients) {
        const row = results.rtt.find((candidate) => candidate.peer === peer && candidate.clients === clients);
        expect(row, `rtt ${peer} C=${clients}`).toBeDefined();
        expect([row?.perSecond, row?.p50Ms, row?.p99Ms].every((value) => positive(value ?? Number.NaN))).toBe(true);
      }
      for (const [clients, variant] of SMOKE_CONFIG.fanout.clients.flatMap((n) => FANOUT_VARIANTS.map((v) => [n, v] as const))) {
        const row = results.fanout.find((candidate) => candidate.peer === peer && candidate.clients === clients && candidate.variant === variant);
        expect(row, `fanout ${peer} N=${clients} ${variant}`).toBeDefined();
        expect(row?.rounds.every((round) => round.delivered === round.expected)).toBe(true);
        expect(positive(row?.deliveriesPerSecond ?? Number.NaN) && positive(row?.lastDeliveryMs ?? Number.NaN)).toBe(true);
      }
      const idle = results.idle.find((candidate) => candidate.peer === peer);
      expect(idle, `idle ${peer}`).toBeDefined();
      expect(positive(idle?.heapPerConnection ?? Number.NaN) && positive(idle?.connectPerSecond ?? Number.NaN)).toBe(true);
    }

    for (const leg of MCP_LEGS) {
      for (const clients of SMOKE_CONFIG.mcp.clients) {
        const row = results.mcp.find((candidate) => candidate.leg === leg && candidate.clients === clients);
        expect(row, `mcp ${leg} C=${clients}`).toBeDefined();
        if (row && isMeasuredMcpRow(row)) {
          expect([row.perSecond, row.p50Ms, row.p99Ms].every(positive)).toBe(true);
          expect(row.errors).toBe(0);
        }
      }
    }

    // Two nodes on a redis-server of the run's own, for each peer: every broadcast reached every client of both nodes.
    for (const peer of CLUSTER_PEERS) {
      const row = results.cluster?.find((candidate) => candidate.peer === peer);
      expect(row, `cluster ${peer}`).toBeDefined();
      expect(row?.rounds.every((round) => round.delivered === round.expected)).toBe(true);
      expect(positive(row?.deliveriesPerSecond ?? Number.NaN) && positive(row?.redisCommandsPerBroadcast ?? Number.NaN)).toBe(true);
      expect(row?.sendTo.delivered).toBe(SMOKE_CONFIG.cluster.sendToSamples);
    }
  }, 240_000);
});
