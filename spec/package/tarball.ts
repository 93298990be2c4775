/**
 * Packs the package as `npm publish` would and checks what the tarball holds: only what a consumer
 * runs or reads (dist JavaScript and declarations, README, licence, changelog), and everything the
 * entry points need.
 */
import { join } from 'node:path';
import type { EntryPoint } from './entry-points.js';
import { runCommand, tail } from './run-command.js';

export interface Tarball {
  readonly path: string;
  readonly files: readonly string[];
  /** The files packed with an executable bit (a `bin` must be one). */
  readonly executables: readonly string[];
  readonly bytes: number;
}

interface PackReport {
  readonly filename: string;
  readonly size: number;
  readonly files: readonly { readonly path: string; readonly mode: number }[];
}

/** Packs `root` into `destination`. Scripts are skipped: the caller has just built `dist`. */
export async function pack(root: string, destination: string): Promise<Tarball> {
  const packed = await runCommand('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
    cwd: root,
    timeoutMs: 60_000,
  });
  if (!packed.ok) throw new Error(`${packed.problem ?? ''}\n${tail(packed.stderr)}`);
  const [report] = JSON.parse(packed.stdout) as PackReport[];
  if (report === undefined) throw new Error('npm pack reported no tarball');
  return {
    path: join(destination, report.filename),
    files: report.files.map((file) => file.path).sort(),
    executables: report.files.filter((file) => (file.mode & 0o111) !== 0).map((file) => file.path),
    bytes: report.size,
  };
}

const ALWAYS_REQUIRED = ['package.json', 'README.md', 'docs/CHANGELOG.md'];

/** Why each unwanted file is unwanted; the first matching rule speaks. */
const UNWANTED: readonly (readonly [RegExp, string])[] = [
  [/\.map$/, 'a source map (its sources are not shipped)'],
  [/(^|\/)(spec|test|tests|__tests__)\//, 'a test file'],
  [/\.(spec|test)\.[cm]?[jt]s$/, 'a test file'],
  [/^src\//, 'TypeScript source (dist has the JavaScript and declarations)'],
];

const SHIPPABLE: readonly RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICEN[CS]E(\.md|\.txt)?$/,
  /^docs\/CHANGELOG\.md$/,
  /^dist\/.+\.js$/,
  /^dist\/.+\.d\.ts$/,
];

/** Problems with the tarball's file list, one line per kind of problem; empty when it is right. */
export function fileListProblems(files: readonly string[], entries: readonly EntryPoint[]): string[] {
  const present = new Set(files);
  const problems = new Map<string, string[]>();
  const add = (why: string, file: string): void => void problems.set(why, [...(problems.get(why) ?? []), file]);
  for (const file of files) {
    const unwanted = UNWANTED.find(([pattern]) => pattern.test(file));
    if (unwanted) add(unwanted[1], file);
    else if (!SHIPPABLE.some((pattern) => pattern.test(file))) add('not on the list of what ships', file);
  }
  const required = [...ALWAYS_REQUIRED, ...entries.flatMap((entry) => [entry.types, entry.runtime])];
  for (const file of required) if (!present.has(file)) add('missing', file);
  // Each module ships as a pair, or an import of its types (or of its code) breaks.
  for (const file of files) {
    if (!file.startsWith('dist/')) continue;
    if (file.endsWith('.d.ts') && !present.has(file.replace(/\.d\.ts$/, '.js'))) add('declarations without their JavaScript', file);
    else if (file.endsWith('.js') && !present.has(file.replace(/\.js$/, '.d.ts'))) add('JavaScript without its declarations', file);
  }
  return [...problems].map(([why, found]) => {
    const shown = found.slice(0, 3).join(', ');
    return `${found.length} × ${why}: ${shown}${found.length > 3 ? ', …' : ''}`;
  });
}
