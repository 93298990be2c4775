/**
 * publint and @arethetypeswrong/cli on the packed tarball. attw's verdict is filtered through a short
 * list of accepted findings, each with the reason it does not hurt a consumer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tail } from './run-command.js';

export interface LintOutcome {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** publint with warnings treated as errors. */
export async function publint(root: string, tarball: string): Promise<LintOutcome> {
  const run = await runCommand(join(root, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], {
    cwd: root,
    timeoutMs: 60_000,
  });
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() !== '' && !/^(Running publint|Unpacking|Linting)/.test(line));
  return { ok: run.ok, lines: run.ok ? lines : [...lines, run.problem ?? ''] };
}

interface AttwProblem {
  readonly kind: string;
  readonly entrypoint?: string;
  readonly resolutionKind?: string;
}

interface AttwReport {
  readonly analysis: { readonly problems: readonly AttwProblem[]; readonly entrypoints: Readonly<Record<string, unknown>> };
}

/** Findings that do not affect a consumer of this package, and why. */
const ACCEPTED: readonly { readonly matches: (problem: AttwProblem) => boolean; readonly reason: string }[] = [
  {
    matches: (problem) => problem.kind === 'CJSResolvesToESM',
    reason:
      'attw (TypeScript 5.6 inside) predates require(esm): Node >= 20.19 require()s these ES modules and TypeScript >= 5.8 ' +
      'types it under module nodenext; this test require()s every entry point and type-checks that',
  },
  {
    matches: (problem) => problem.kind === 'NoResolution' && problem.resolutionKind === 'node10' && problem.entrypoint !== '.',
    reason: 'moduleResolution node10 ignores "exports": subpaths need node16, nodenext or bundler (the README says so)',
  },
];

export async function attw(root: string, tarball: string): Promise<LintOutcome> {
  const cli = join(root, 'node_modules/.bin/attw');
  // Into a file, not a pipe: attw exits with process.exit, which cuts piped output at 64 KiB, and
  // its JSON for seven entry points is larger than that.
  const output = `${tarball}.attw.json`;
  const run = await runCommand('sh', ['-c', '"$0" "$1" --format json --no-definitely-typed > "$2"', cli, tarball, output], { cwd: root, timeoutMs: 120_000 });
  let report: AttwReport;
  try {
    report = JSON.parse(readFileSync(output, 'utf8')) as AttwReport;
  } catch {
    return { ok: false, lines: [run.problem ?? 'attw printed no JSON', tail(run.stderr, 10)] };
  }
  const lines: string[] = [`entry points analysed: ${Object.keys(report.analysis.entrypoints).join(', ')}`];
  let ok = true;
  const accepted = new Map<string, string[]>();
  for (const problem of report.analysis.problems) {
    const where = `${problem.kind} (${problem.entrypoint ?? 'package'}, ${problem.resolutionKind ?? 'any resolution'})`;
    const rule = ACCEPTED.find((candidate) => candidate.matches(problem));
    if (rule) accepted.set(rule.reason, [...(accepted.get(rule.reason) ?? []), where]);
    else {
      ok = false;
      lines.push(`problem: ${where}`);
    }
  }
  for (const [reason, wheres] of accepted) lines.push(`accepted: ${wheres.join(', ')} — ${reason}`);
  if (report.analysis.problems.length === 0) lines.push('no problems');
  return { ok, lines };
}
