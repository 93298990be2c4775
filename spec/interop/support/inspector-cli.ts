/**
 * Runs the MCP Inspector's command-line client as a user types it — `mcp-inspector-cli --cli
 * <target> --method …` from `@modelcontextprotocol/inspector-cli` (the CLI of Inspector v1) — as a
 * real process, to the end, and hands back its exit and output. Each run is registered with `track`:
 * `afterEach(closeAll)` kills its whole process group (the launcher, the client it starts, and any
 * stdio server that one spawned) if something is still running.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { track } from '../../support/resources.js';
import { repoRoot } from '../../cli/support/cli-process.js';

/** How long one Inspector run may take, ms: it starts two node processes, and maybe our CLI under tsx. */
export const INSPECTOR_WITHIN = 20_000;

export interface InspectorRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** What it printed for a program: the result as pretty JSON, or nothing when it failed. */
  readonly stdout: string;
  /** What it printed for a person: its v1 deprecation banner, and the error when it failed. */
  readonly stderr: string;
}

/** The launcher, found through the package's own `bin` entry. */
const inspectorBin: string = (() => {
  const manifestPath = createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  const bin = manifest.bin['mcp-inspector-cli'];
  if (bin === undefined) throw new Error('@modelcontextprotocol/inspector-cli has no mcp-inspector-cli bin');
  return join(dirname(manifestPath), bin);
})();

/**
 * Where the Inspector runs. Version 1.0.3 reads its own package.json for the client's name, choosing
 * between `../package.json` and `../../package.json` by what exists relative to the *working
 * directory* but importing relative to its *module*: the standalone package works only when the
 * working directory's parent holds a package.json (upstream: modelcontextprotocol/inspector#1503).
 * `spec/` has the repository's above it.
 */
const inspectorCwd = join(repoRoot, 'spec');

/** `mcp-inspector-cli --cli <args>`, run to its end (bounded by {@link INSPECTOR_WITHIN}). */
export async function inspect(args: readonly string[]): Promise<InspectorRun> {
  // Its own process group, so that cleanup reaches the grandchildren too.
  const child = spawn(process.execPath, [inspectorBin, '--cli', ...args], { cwd: inspectorCwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the Inspector did not start');
  track(pid, killGroup);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': by then everything it wrote has been read.
  const closed = new Promise<Pick<InspectorRun, 'code' | 'signal'>>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`mcp-inspector-cli --cli ${args.join(' ')} did not exit within ${INSPECTOR_WITHIN} ms; stderr:\n${stderr}`)), INSPECTOR_WITHIN);
  });
  try {
    const exit = await Promise.race([closed, late]);
    return { ...exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** The result it printed, parsed; fails with what it said when stdout is not JSON. */
export function printed(run: InspectorRun): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`the Inspector printed no JSON (exit ${String(run.code)}); stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** The command line that runs `nexus-mcp connect <args>` from the sources (node + tsx), as a stdio server for the Inspector. */
export function nexusConnect(...args: string[]): string[] {
  return [process.execPath, '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'connect', ...args];
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already: every process in it has exited.
  }
}
