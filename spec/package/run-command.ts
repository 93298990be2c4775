/**
 * Runs one child process to completion, bounded in time, and keeps what it printed. Each child leads
 * its own process group, so a time-out or an interrupt ends it together with whatever it started
 * (npm runs scripts, tsc may be a grandchild).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it failed, in one line: an exit code, a signal, or the time limit. */
  readonly problem: string | undefined;
}

export interface CommandOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
}

const running = new Set<ChildProcess>();

export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const shown = [command, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let problem: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => {
      problem = `${shown}: no answer within ${options.timeoutMs} ms`;
      killGroup(child);
    }, options.timeoutMs);
    child.on('error', (error) => (problem ??= `${shown}: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      running.delete(child);
      if (problem === undefined && code !== 0) problem = `${shown}: ${signal === null ? `exit code ${code ?? '?'}` : `signal ${signal}`}`;
      resolve({ ok: problem === undefined, stdout, stderr, problem });
    });
  });
}

/** Ends every child still running (on an interrupt of the whole test). */
export function killRunning(): void {
  for (const child of running) killGroup(child);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The last lines of a long output, enough to see why a command failed. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
