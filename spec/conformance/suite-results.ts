/**
 * Reading a conformance run: which scenarios the suite ran (its stdout), what each one's checks
 * said (the `checks.json` it writes per scenario with `-o`), which listed scenarios it left out,
 * and the summary the runner prints.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One check of a scenario, as the suite writes it. */
export interface Check {
  readonly id: string;
  readonly name?: string;
  readonly status: string;
  readonly errorMessage?: string;
}

/** A scenario's outcome: failures and warnings both fail it, and so does a scenario that wrote no results. */
export interface ScenarioVerdict {
  readonly scenario: string;
  readonly passed: number;
  readonly failures: readonly Check[];
  readonly warnings: readonly Check[];
  /** True when the suite wrote no checks for it (it crashed before it could). */
  readonly missing: boolean;
  readonly ok: boolean;
}

export interface Skip {
  readonly scenario: string;
  readonly reason: string;
}

/** The scenarios the suite announced it was running, in order (`=== Running scenario: x ===`). */
export function scenariosRun(suiteOutput: string): string[] {
  return [...suiteOutput.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((match) => match[1] ?? '');
}

/** The server scenarios `conformance list --server` names (`  - name [versions]`). */
export function scenariosListed(listOutput: string): string[] {
  return [...listOutput.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] ?? '');
}

/** The checks the suite saved for `scenario` under `outDir` (`server-<scenario>-<timestamp>/checks.json`). */
export function readChecks(outDir: string, scenario: string): Check[] | undefined {
  const named = new RegExp(`^server-${scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d{2}-\\d{2}T`);
  const dir = readdirSync(outDir).find((entry) => named.test(entry));
  if (dir === undefined || !existsSync(join(outDir, dir, 'checks.json'))) return undefined;
  return JSON.parse(readFileSync(join(outDir, dir, 'checks.json'), 'utf8')) as Check[];
}

/** Judges one scenario from its checks (`undefined`: none were written). */
export function judge(scenario: string, checks: readonly Check[] | undefined): ScenarioVerdict {
  const failures = checks?.filter((check) => check.status === 'FAILURE') ?? [];
  const warnings = checks?.filter((check) => check.status === 'WARNING') ?? [];
  const passed = checks?.filter((check) => check.status === 'SUCCESS').length ?? 0;
  const missing = checks === undefined;
  return { scenario, passed, failures, warnings, missing, ok: !missing && failures.length === 0 && warnings.length === 0 };
}

/**
 * The listed scenarios the suite did not run, each with its reason from `reasons`. A scenario left
 * out without a reason, or a reason for a scenario that ran or does not exist, is a problem: the
 * list of skips must say exactly what is skipped and why.
 */
export function reconcileSkips(listed: readonly string[], ran: readonly string[], reasons: Readonly<Record<string, string>>): { skips: Skip[]; problems: string[] } {
  const skips: Skip[] = [];
  const problems: string[] = [];
  for (const scenario of listed) {
    if (ran.includes(scenario)) continue;
    const reason = reasons[scenario];
    if (reason === undefined) problems.push(`the suite did not run ${scenario}, and the runner gives no reason for skipping it`);
    else skips.push({ scenario, reason });
  }
  for (const scenario of Object.keys(reasons)) {
    if (ran.includes(scenario)) problems.push(`${scenario} has a reason to be skipped, but the suite ran it: remove the reason`);
    else if (!listed.includes(scenario)) problems.push(`${scenario} has a reason to be skipped, but the suite does not list it`);
  }
  return { skips, problems };
}

/** The summary: one line per scenario, what went wrong in those that failed, the skips, the counts. */
export function summaryLines(verdicts: readonly ScenarioVerdict[], skips: readonly Skip[]): string[] {
  const lines: string[] = [];
  for (const verdict of verdicts) {
    const counts = verdict.missing ? 'no results written' : `${verdict.passed} passed, ${verdict.failures.length} failed, ${verdict.warnings.length} warnings`;
    lines.push(`  ${verdict.ok ? '✓' : '✗'} ${verdict.scenario}: ${counts}`);
    for (const check of [...verdict.failures, ...verdict.warnings]) lines.push(`      ${check.status} ${check.name ?? check.id}: ${check.errorMessage ?? '(no message)'}`);
  }
  const passed = verdicts.filter((verdict) => verdict.ok).length;
  const checks = verdicts.reduce((sum, verdict) => sum + verdict.passed, 0);
  lines.push('', `${passed}/${verdicts.length} active scenarios passed (${checks} checks passed), ${verdicts.length - passed} failed, ${skips.length} skipped`);
  for (const skip of skips) lines.push(`  skipped ${skip.scenario}: ${skip.reason}`);
  return lines;
}
