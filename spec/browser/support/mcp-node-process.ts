/**
 * Drives one mcp-node.ts process: starts it with tsx, reads its port from its first line, sends it
 * commands, waits for the events it reports. `kill()` is the crash (SIGKILL, by its own pid);
 * `closeAll()` ends it by closing its stdin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, ReplaySubject, skip, timeout } from 'rxjs';
import { track } from '../../support/resources.js';

const NODE_SCRIPT = fileURLToPath(new URL('./mcp-node.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface McpNodeOptions {
  readonly nodeId: string;
  readonly port: number;
  readonly redisUrl: string;
  readonly origin: string;
  readonly token: string;
  /** Answer no upgrade until `open()`. */
  readonly hold?: boolean;
}

export interface NodeEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

export class McpNodeProcess {
  private readonly events$ = new ReplaySubject<NodeEvent>();
  private readonly stderr: string[] = [];
  /** How many events of each name `next` has handed out. */
  private readonly taken = new Map<string, number>();
  private readonly exited: Promise<void>;
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.events$.next(JSON.parse(line) as NodeEvent));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => this.events$.complete());
    child.stdin?.on('error', () => undefined);
  }

  /** Starts a node and waits until it listens. */
  static async start(options: McpNodeOptions): Promise<McpNodeProcess> {
    const args = ['--port', String(options.port), '--redis', options.redisUrl, '--node-id', options.nodeId, '--origin', options.origin, '--token', options.token];
    if (options.hold) args.push('--hold');
    const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const node = track(new McpNodeProcess(child), (n) => n.close());
    const ready = await node.next('ready');
    node.port = Number(ready['port']);
    return node;
  }

  /**
   * The next event named `event` not taken before (a past one too: events are replayed); fails when
   * the process exits first. Each event is taken once, so the second `broadcast` gets the second answer.
   */
  async next(event: string, timeoutMs = 30_000): Promise<NodeEvent> {
    const taken = this.taken.get(event) ?? 0;
    this.taken.set(event, taken + 1);
    const found = await firstValueFrom(
      this.events$.pipe(
        filter((line) => line.event === event),
        skip(taken),
        timeout({ first: timeoutMs, with: () => Promise.reject(new Error(`no ${event} within ${timeoutMs} ms${this.stderrTail()}`)) }),
      ),
      { defaultValue: undefined },
    );
    if (!found) throw new Error(`the node exited before ${event}${this.stderrTail()}`);
    return found;
  }

  /** Sends a JSON-RPC notification to every client of the cluster; resolves with how many this node reached. */
  async broadcast(text: string): Promise<number> {
    this.child.stdin?.write(`${JSON.stringify({ cmd: 'broadcast', text })}\n`);
    return Number((await this.next('broadcast'))['reached']);
  }

  /** Lets held upgrades through. */
  async open(): Promise<void> {
    this.child.stdin?.write(`${JSON.stringify({ cmd: 'open' })}\n`);
    await this.next('opened');
  }

  /** A crash: SIGKILL, no close frames, no goodbye to the cluster. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A normal end: stdin closes, the server stops. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin?.end();
    await this.exited;
  }

  private stderrTail(): string {
    const text = this.stderr.join('').trim();
    return text === '' ? '' : `\n${text.slice(-2000)}`;
  }
}
