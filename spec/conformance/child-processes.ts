/**
 * The conformance run's child processes: each started in its own process group, so that ending it
 * ends whatever it started too (npm's and tsx's own children), and all of them ended when the run
 * times out or is interrupted.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

const running = new Set<ChildProcess>();

/** Starts `command` in a process group of its own, remembered until it exits. */
export function start(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A failure to start is reported by `exited`; without a listener it would crash the runner.
  child.once('error', () => running.delete(child));
  return child;
}

/** Resolves with the exit code (1 when a signal ended it); rejects if it could not start. */
export function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs a command to its end; resolves with its exit code and what it wrote to stdout. */
export async function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<{ code: number; stdout: string }> {
  const child = start(command, args, { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await exited(child);
  return { code, stdout };
}

/** The first line `child` writes to stdout; rejects if it exits or `timeoutMs` passes first. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (child.stdout === null) throw new TypeError('firstLine needs a piped stdout');
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => settle(new Error(`no line on stdout within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null): void => settle(new Error(`exited (code ${code ?? 'none'}) before writing a line`));
    lines.once('line', (line) => settle(line));
    child.once('exit', onExit);
    child.once('error', (error) => settle(error));
    function settle(outcome: string | Error): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      if (outcome instanceof Error) {
        reject(outcome);
        return;
      }
      child.stdout?.resume(); // anything after the first line is not read: let it drain
      resolve(outcome);
    }
  });
}

/** Asks `child` to stop (SIGTERM to its group); kills the group if it has not exited within `graceMs`. */
export async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited(child).catch(() => undefined);
  clearTimeout(timer);
}

/** Kills every child still running, with its group. */
export function killAll(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
