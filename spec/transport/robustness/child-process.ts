/**
 * A fixture script run in its own Node process (`node --import tsx`), talking back through JSON
 * lines on stdout: for what cannot happen inside the test's process (being killed with SIGKILL,
 * measuring the heap after a forced GC). Registered with `track`, so it is killed after the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { filter, firstValueFrom, ReplaySubject, type Observable } from 'rxjs';
import { track } from '../../support/resources.js';
import { within } from '../../support/sockets.js';

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class FixtureProcess {
  private readonly lines = new ReplaySubject<Record<string, unknown>>();
  private stderr = '';
  /** Resolves once the process has exited (and its stdout has been read to the end). */
  readonly exited: Promise<Exit>;

  private constructor(readonly child: ChildProcess) {
    const stdout = child.stdout;
    if (!stdout) throw new Error('the fixture was spawned without a stdout pipe');
    const reader = createInterface({ input: stdout });
    reader.on('line', (line) => {
      try {
        this.lines.next(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not one of ours (a warning from a library): only JSON lines are messages.
      }
    });
    const readerClosed = new Promise<void>((resolve) => reader.once('close', resolve));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        void readerClosed.then(() => {
          this.lines.complete();
          resolve({ code, signal });
        });
      });
    });
  }

  /** Starts `fixtures/<name>` with `args`; extra Node flags (such as `--expose-gc`) go first. */
  static start(name: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): FixtureProcess {
    const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      // stdin stays open while the test runs: a fixture may end itself when it closes (the runner died).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return track(new FixtureProcess(child), (fixture) => fixture.kill('SIGKILL'));
  }

  /** Every JSON line the process printed, replayed from the start. */
  get messages$(): Observable<Record<string, unknown>> {
    return this.lines.asObservable();
  }

  /** The first line whose `event` is `event`; rejects with what the process wrote on stderr if it never comes. */
  async event(event: string, ms?: number): Promise<Record<string, unknown>> {
    try {
      return await firstValueFrom(this.lines.pipe(filter((line) => line['event'] === event), within(`"${event}" from the fixture`, ms)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`No "${event}" from the fixture (${reason}); its stderr: ${this.stderr || '(empty)'}`, { cause: error });
    }
  }

  /** What the process wrote on stderr so far: for failure messages. */
  get errorOutput(): string {
    return this.stderr;
  }

  /** Sends `signal` (if still running) and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
