/**
 * publint and @arethetypeswrong/cli on the packed tarball. attw's verdict is filtered through a short
 * list of accepted findings, each with the reason it does not hurt a consumer.
 */
import { readFile, rm } from 'node:fs/promises';
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
  // Into a file, not a pipe: attw exits (code 1 when it finds anything) before Node has flushed a
  // piped stdout, and its report (over 250 KB) came out cut short. Writes to a file are synchronous.
  const reportFile = join(root, 'attw-report.json');
  const words = [cli, tarball, '--format', 'json', '--no-definitely-typed'].map(shellQuoted).join(' ');
  const run = await runCommand('sh', ['-c', `${words} > ${shellQuoted(reportFile)}`], { cwd: root, timeoutMs: 120_000 });
  let report: AttwReport;
  try {
    report = JSON.parse(await readFile(reportFile, 'utf8')) as AttwReport;
  } catch {
    return { ok: false, lines: [run.problem ?? 'attw printed no JSON', tail(run.stderr, 10)] };
  } finally {
    await rm(reportFile, { force: true });
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

/** One word for `sh -c`, whatever it contains. */
function shellQuoted(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
