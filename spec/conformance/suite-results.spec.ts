/**
 * The conformance runner's judgement, on the suite's own output formats: a scenario passes only
 * with no failed check, no warning and results on disk; every scenario the suite leaves out needs
 * a stated reason, and a stated reason must match a scenario left out.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judge, readChecks, reconcileSkips, scenariosListed, scenariosRun, summaryLines } from './suite-results.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('reading the suite', () => {
  it('takes the scenarios run from its progress lines and the listed ones from `list --server`', () => {
    const run = 'Running active suite (2 scenarios) against http://x\n\n\n=== Running scenario: ping ===\nRunning client scenario…\n\n=== Running scenario: tools-list ===\n';
    const list = 'Server scenarios (test against a server):\n  - ping [2025-06-18,2025-11-25]\n  - json-schema-2020-12 [2025-11-25]\n';
    expect(scenariosRun(run)).toEqual(['ping', 'tools-list']);
    expect(scenariosListed(list)).toEqual(['ping', 'json-schema-2020-12']);
  });

  it("finds each scenario's checks.json by exact name, not by prefix", () => {
    const outDir = mkdtempSync(join(tmpdir(), 'suite-results-'));
    dirs.push(outDir);
    for (const [scenario, status] of [['resources-subscribe', 'SUCCESS'], ['resources-subscribe-twice', 'FAILURE']] as const) {
      const dir = join(outDir, `server-${scenario}-2026-01-02T03-04-05-678Z`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'checks.json'), JSON.stringify([{ id: scenario, status }]));
    }
    expect(readChecks(outDir, 'resources-subscribe')).toEqual([{ id: 'resources-subscribe', status: 'SUCCESS' }]);
    expect(readChecks(outDir, 'resources-unsubscribe')).toBeUndefined();
  });
});

describe('judging a scenario', () => {
  it('passes with successes and informational checks only', () => {
    const verdict = judge('ping', [{ id: 'ping', status: 'SUCCESS' }, { id: 'note', status: 'INFO' }]);
    expect(verdict).toMatchObject({ ok: true, passed: 1, failures: [], warnings: [] });
  });

  it('fails on a failed check, on a warning, and when no results were written', () => {
    expect(judge('a', [{ id: 'a', status: 'SUCCESS' }, { id: 'b', status: 'FAILURE', errorMessage: 'boom' }]).ok).toBe(false);
    expect(judge('a', [{ id: 'a', status: 'SUCCESS' }, { id: 'w', status: 'WARNING' }]).ok).toBe(false);
    expect(judge('a', undefined)).toMatchObject({ ok: false, missing: true });
  });

  it('names the failed checks and counts the skips in the summary', () => {
    const lines = summaryLines(
      [judge('ping', [{ id: 'ping', status: 'SUCCESS' }]), judge('tools-list', [{ id: 'tools-list', name: 'ToolsList', status: 'FAILURE', errorMessage: 'Tool 0: missing description' }])],
      [{ scenario: 'server-sse-polling', reason: 'pending' }],
    );
    expect(lines).toContain('      FAILURE ToolsList: Tool 0: missing description');
    expect(lines).toContain('1/2 active scenarios passed (1 checks passed), 1 failed, 1 skipped');
    expect(lines).toContain('  skipped server-sse-polling: pending');
  });
});

describe('reconciling the skips', () => {
  const listed = ['ping', 'json-schema-2020-12', 'server-sse-polling'];

  it('accepts scenarios left out with a reason', () => {
    const reasons = { 'json-schema-2020-12': 'pending: no $schema', 'server-sse-polling': 'pending: no early close' };
    expect(reconcileSkips(listed, ['ping'], reasons)).toEqual({
      skips: [
        { scenario: 'json-schema-2020-12', reason: 'pending: no $schema' },
        { scenario: 'server-sse-polling', reason: 'pending: no early close' },
      ],
      problems: [],
    });
  });

  it('reports a scenario left out without a reason, a reason for one that ran, and one for an unknown scenario', () => {
    const { problems } = reconcileSkips(listed, ['ping', 'server-sse-polling'], { 'server-sse-polling': 'pending', 'no-such-scenario': 'gone' });
    expect(problems).toEqual([
      'the suite did not run json-schema-2020-12, and the runner gives no reason for skipping it',
      'server-sse-polling has a reason to be skipped, but the suite ran it: remove the reason',
      'no-such-scenario has a reason to be skipped, but the suite does not list it',
    ]);
  });
});
