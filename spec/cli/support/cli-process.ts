/**
 * Runs `nexus-mcp` as a user would, as a real process (node + tsx on src/cli/main.ts), and reads
 * what it writes: stdout as newline-delimited JSON (the protocol), stderr as lines (messages for a
 * person). Every process is registered with `track`, so `afterEach(closeAll)` kills what is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, map, ReplaySubject, type Observable } from 'rxjs';
import type { JsonObject } from '../../../src/protocol/index.js';
import { track } from '../../support/resources.js';
import { within } from '../../support/sockets.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** How a run ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How long a spec waits for a CLI process to start, say something, or exit, ms: tsx compiles on start. */
export const CLI_WITHIN = 15_000;

/** The command line that runs a stdio MCP server fixture (spec/cli/fixtures/<name>.ts) with node + tsx. */
export function fixtureCommand(name: string): string[] {
  return [process.execPath, '--import', 'tsx', `spec/cli/fixtures/${name}.ts`];
}

export class CliProcess {
  private readonly stdoutLines = new ReplaySubject<string>();
  private readonly stderrLines = new ReplaySubject<string>();
  private stderrText = '';
  /** Resolves once the process has exited. */
  readonly exited: Promise<Exit>;

  private constructor(readonly child: ChildProcess) {
    splitLines(child.stdout, (line) => this.stdoutLines.next(line));
    splitLines(child.stderr, (line) => {
      this.stderrText += `${line}\n`;
      this.stderrLines.next(line);
    });
    // 'close', not 'exit': by then everything the process wrote has been read.
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.stdin?.on('error', () => undefined);
  }

  /** Starts `nexus-mcp <args>`; killed after the test if still running. */
  static start(args: readonly string[]): CliProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    return track(new CliProcess(child), (cli) => cli.stop());
  }

  /** Runs `nexus-mcp <args>` to the end with nothing on stdin; resolves with its exit and output. */
  static async run(args: readonly string[]): Promise<Exit & { stdout: string; stderr: string }> {
    const cli = CliProcess.start(args);
    cli.endInput();
    const exit = await cli.exit();
    return { ...exit, stdout: cli.stdout, stderr: cli.stderr };
  }

  /** Everything written on stderr so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Everything written on stdout so far (lines joined with newlines). */
  get stdout(): string {
    const lines: string[] = [];
    this.stdoutLines.subscribe((line) => lines.push(line)).unsubscribe();
    return lines.map((line) => `${line}\n`).join('');
  }

  /** Every stdout line parsed as JSON, from the start (replayed). */
  get messages$(): Observable<JsonObject> {
    return this.stdoutLines.pipe(map((line) => JSON.parse(line) as JsonObject));
  }

  /** Writes one message on its stdin, as a line. */
  send(message: JsonObject): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends its stdin. */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** The first message on stdout with this id (looking from the start). */
  reply(id: string | number): Promise<JsonObject> {
    return firstValueFrom(this.messages$.pipe(filter((message) => message['id'] === id), within(`the reply to ${JSON.stringify(id)}`, CLI_WITHIN)));
  }

  /** The first stderr line matching `pattern` (looking from the start). */
  stderrLine(pattern: RegExp): Promise<RegExpExecArray> {
    return firstValueFrom(
      this.stderrLines.pipe(
        map((line) => pattern.exec(line)),
        filter((match): match is RegExpExecArray => match !== null),
        within(`a stderr line matching ${String(pattern)}; stderr so far:\n${this.stderrText}`, CLI_WITHIN),
      ),
    );
  }

  /** Its exit, within a bound. */
  exit(): Promise<Exit> {
    return Promise.race([
      this.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the CLI did not exit; stderr:\n${this.stderrText}`)), CLI_WITHIN).unref()),
    ]);
  }

  /** Kills it if it still runs, and waits for it to be gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  stream?.on('end', () => {
    if (rest !== '') onLine(rest);
  });
}

/** Whether a process with this pid exists now. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once the process with this pid is gone; rejects if it still runs after `CLI_WITHIN`. */
export async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + CLI_WITHIN;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
