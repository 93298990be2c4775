/** Runs an example program as a user would (node + tsx) and collects what it printed. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** How long an example may run before it is killed: they all exit by themselves well before. */
export const RUN_LIMIT_MS = 90_000;

export interface ExampleRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `path` (relative to the repository) with `PORT=0`, killing it if it does not exit by itself. */
export function runExample(path: string): Promise<ExampleRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', path],
      { cwd: repoRoot, timeout: RUN_LIMIT_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, env: { ...process.env, PORT: '0' } },
      (_error, stdout, stderr) => resolve({ exitCode: child.exitCode, signal: child.signalCode, stdout, stderr }),
    );
  });
}
