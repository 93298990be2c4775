import { spawn, type ChildProcess } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { Subscription, timer, type SchedulerLike } from 'rxjs';
import { decodeTextFrame, type JsonObject } from '../../protocol/index.js';
import { LineReader } from '../edges/line-reader.js';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  readonly startError: Error | undefined;
}

/** What a child tells its owner. */
export interface ChildListener {
  /** Each JSON object the child writes on stdout (one per line, MCP's stdio framing). */
  onMessage(message: JsonObject): void;
  /** Each line of the child's stderr. */
  onStderr(line: string): void;
  /** A stdout line that is not a JSON object, or is too long: dropped, with why. */
  onBadOutput(problem: string): void;
  /** Once, when the child is gone, after everything it wrote has been passed on. */
  onExit(exit: ChildExit): void;
}

/** A program to start: the executable (looked up on PATH) and its arguments. */
export interface ChildCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory. Default: this process's. */
  readonly cwd?: string;
  /** Environment. Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

// A process group of its own (POSIX), so that stopping it reaches whatever it started itself (npx → node).
const OWN_GROUP = process.platform !== 'win32';

/**
 * A child process that speaks JSON on its standard streams, as MCP's stdio transport does:
 * messages in on stdin, out on stdout, one JSON object per line (lines bounded by
 * `maxLineBytes`); stderr passed on line by line. Stopping follows MCP's stdio shutdown: close
 * stdin, then SIGTERM after `graceMs`, then SIGKILL after as long again — to its whole process
 * group, so that it reaches what the child started itself (`npx` → `node`).
 */
export class StdioChild {
  private readonly child: ChildProcess;
  private readonly readers: LineReader[] = [];
  private gone = false;
  private readonly exited: Promise<void>;

  constructor(command: ChildCommand, maxLineBytes: number, listener: ChildListener) {
    this.child = spawn(command.command, [...command.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: OWN_GROUP,
      windowsHide: true,
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
      ...(command.env === undefined ? {} : { env: command.env }),
    });
    const { stdin, stdout, stderr } = this.child;
    this.exited = new Promise<void>((resolve) => {
      const exit = (code: number | null, signal: NodeJS.Signals | null, startError?: Error): void => {
        if (this.gone) return;
        this.gone = true;
        for (const reader of this.readers) reader.stop();
        listener.onExit({ code, signal, startError });
        resolve();
      };
      // 'close' comes after the child's output streams have ended: nothing it wrote is left behind.
      this.child.once('close', (code, signal) => exit(code, signal));
      this.child.on('error', (error) => {
        if (this.child.pid === undefined) exit(null, null, error);
      });
    });
    // A child that died leaves a broken pipe: its exit is reported by 'close'.
    stdin?.on('error', () => undefined);
    if (stdout) {
      this.readers.push(
        new LineReader(stdout, maxLineBytes, {
          line: (text) => {
            const decoded = decodeTextFrame(text);
            if (E.isRight(decoded)) listener.onMessage(decoded.right);
            else listener.onBadOutput(`${decoded.left.message}: ${text.slice(0, 200)}`);
          },
          tooLong: () => listener.onBadOutput(`a line over the ${maxLineBytes}-byte limit`),
          end: () => undefined,
        }),
      );
    }
    if (stderr) {
      this.readers.push(new LineReader(stderr, maxLineBytes, { line: (text) => listener.onStderr(text), tooLong: () => undefined, end: () => undefined }));
    }
  }

  /** The process id; `undefined` when it could not be started. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process has ended. */
  get isGone(): boolean {
    return this.gone;
  }

  /** Writes one message to the child's stdin; ignored once it is gone. */
  send(message: JsonObject): void {
    const { stdin } = this.child;
    // JSON.stringify leaves no raw newline inside a message: one line each.
    if (!this.gone && stdin?.writable === true) stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends the child: closes stdin, then SIGTERM after `graceMs`, then SIGKILL. Resolves once it is gone. */
  stop(graceMs: number, scheduler: SchedulerLike): Promise<void> {
    if (this.gone) return this.exited;
    this.child.stdin?.end();
    const escalation = new Subscription();
    escalation.add(timer(graceMs, scheduler).subscribe(() => this.signal('SIGTERM')));
    escalation.add(timer(2 * graceMs, scheduler).subscribe(() => this.signal('SIGKILL')));
    return this.exited.finally(() => escalation.unsubscribe());
  }

  private signal(signal: NodeJS.Signals): void {
    const { pid } = this.child;
    if (this.gone || pid === undefined) return;
    try {
      if (OWN_GROUP) process.kill(-pid, signal);
      else this.child.kill(signal);
    } catch {
      // Already gone: its 'close' is on the way.
    }
  }
}

/** A child's end in words, for its client's close reason and the log. */
export function describeExit(exit: ChildExit): string {
  if (exit.startError) return `could not start: ${exit.startError.message}`;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}
