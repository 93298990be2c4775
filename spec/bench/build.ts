import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './child.js';

/**
 * Where the benchmark compiles src/ to. The servers under test run this JavaScript, as users do,
 * rather than src/ through tsx: tsx's transform adds a `__name()` call to every closure it creates,
 * a per-message cost the published package does not have (and that raw ws and socket.io never pay).
 * Inside node_modules so that the compiled files resolve rxjs, ws and io-ts, and git ignores it.
 */
export const BUILD_DIR = join(REPO_ROOT, 'node_modules/.cache/nexus-bench');

/**
 * Compiles src/ with the package's own build settings (tsconfig.build.json) into `BUILD_DIR`.
 * tsc emits even when it reports type errors (another change may be half-way); those are returned
 * as a warning, and only a missing transport entry point is fatal.
 */
export function buildSources(): { warning: string | undefined } {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--declaration', 'false', '--sourceMap', 'false'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (!existsSync(join(BUILD_DIR, 'transport/index.js'))) {
    throw new Error(`Compiling src/ produced no transport/index.js:\n${result.stdout}${result.stderr}`);
  }
  return { warning: result.status === 0 ? undefined : `tsc reported errors in src/ (the build was emitted anyway):\n${result.stdout.trim()}` };
}

/** The file URL of a compiled module, e.g. `transport/index.js`. */
export function builtModule(path: string): string {
  return pathToFileURL(join(BUILD_DIR, path)).href;
}
