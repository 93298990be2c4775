/**
 * Runs the compiler in the consumer project and turns its diagnostics into a short, grouped report,
 * with a word on the causes known to come from the published package.
 */
import { runCommand } from './run-command.js';

export interface Diagnostic {
  readonly file: string;
  readonly code: string;
  readonly message: string;
}

export interface TypeCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Anything tsc printed that is not a diagnostic of a file (a bad config, a crash). */
  readonly otherOutput: string;
  readonly exitedCleanly: boolean;
}

const DIAGNOSTIC = /^(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)\): error (?<code>TS\d+): (?<message>.*)$/;

export async function typeCheck(tsc: string, projectDir: string, config: string): Promise<TypeCheckResult> {
  const run = await runCommand(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: projectDir, timeoutMs: 180_000 });
  const diagnostics: Diagnostic[] = [];
  const other: string[] = [];
  for (const line of run.stdout.split('\n')) {
    const match = DIAGNOSTIC.exec(line);
    const groups = match?.groups;
    const last = diagnostics.at(-1);
    if (groups) {
      const { file = '', line: row = '', column = '', code = '', message = '' } = groups;
      diagnostics.push({ file: `${file}(${row},${column})`, code, message });
    } else if (line.startsWith('  ') && last) {
      diagnostics[diagnostics.length - 1] = { ...last, message: `${last.message} ${line.trim()}` };
    } else if (line.trim() !== '') {
      other.push(line);
    }
  }
  if (run.problem?.includes('no answer within') === true) other.push(run.problem);
  const shortened = diagnostics.map((d) => ({ ...d, message: shorten(d.message.replaceAll(`${projectDir}/`, '')) }));
  return { diagnostics: shortened, otherOutput: [...other, run.stderr.trim()].filter((text) => text !== '').join('\n'), exitedCleanly: run.ok };
}

/** Long compiler messages end in advice for the consumer; the first 160 characters name the problem. */
function shorten(message: string): string {
  return message.length <= 160 ? message : `${message.slice(0, 159)}…`;
}

/** Known causes, by diagnostic code, told to whoever reads a failing run. */
const HINTS: Readonly<Record<string, (diagnostics: readonly Diagnostic[]) => string>> = {
  TS7016: (diagnostics) => {
    const modules = [...new Set(diagnostics.map((d) => /module '([^']+)'/.exec(d.message)?.[1] ?? '?'))];
    return (
      `the published declarations import ${modules.map((m) => `'${m}'`).join(', ')}, whose types a consumer does not get ` +
      'with nexus-mcp (they are only devDependencies): list their @types in "dependencies", or keep those types out of the public declarations'
    );
  },
  TS2307: () => 'a declaration imports a module the consumer does not have: a missing dependency, or a file left out of the tarball',
};

/** Lines for the report: one group per error code, each error on its own line. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  const byCode = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics) byCode.set(diagnostic.code, [...(byCode.get(diagnostic.code) ?? []), diagnostic]);
  const lines: string[] = [];
  for (const [code, group] of byCode) {
    const hint = HINTS[code]?.(group);
    lines.push(`${code} ×${group.length}${hint === undefined ? '' : ` — ${hint}`}`);
    for (const diagnostic of group) lines.push(`  ${diagnostic.file}: ${diagnostic.message}`);
  }
  return lines;
}
