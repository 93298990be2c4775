/**
 * A cluster node child process as a test drives it: started with tsx, its port read from its first
 * line, commands sent as lines on its stdin, every event it reported kept in order. Killed by its own
 * pid (SIGKILL for the fault, SIGTERM after the test). Stopped by `closeAll()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, ReplaySubject, timeout } from 'rxjs';
import { track } from '../../support/resources.js';
import { isReply, type NodeCommand, type NodeEvent, type NodeLine, type NodeReply } from './node-protocol.js';
import type { BusKind } from './cluster-bus-factory.js';

const NODE_SCRIPT = fileURLToPath(new URL('./cluster-node.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface NodeProcessOptions {
  readonly nodeId: string;
  readonly bus: BusKind;
  readonly redisUrl?: string;
  readonly leaseMs?: number;
  readonly prefix?: string;
  readonly resumeWindowMs?: number;
  /** How long a command may take before the test fails, ms. Default 15000. */
  readonly commandTimeoutMs?: number;
}

export class NodeProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly stderr: string[] = [];
  /** Every event the node reported, replayed to late subscribers. */
  readonly events$ = new ReplaySubject<NodeEvent>();
  /** The same events, as an array to inspect after the fact. */
  readonly events: NodeEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  port = 0;

  private constructor(
    readonly nodeId: string,
    private readonly child: ChildProcess,
    private readonly commandTimeoutMs: number,
  ) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr.push(chunk);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.take(line));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        const error = new Error(`node ${nodeId} exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})${this.stderrTail()}`);
        for (const { reject } of this.pending.values()) reject(error);
        this.pending.clear();
        this.events$.complete();
        resolve({ code, signal });
      });
    });
    // A node that dies while the test is not talking to it must not crash stdin writes.
    child.stdin?.on('error', () => undefined);
  }

  /** Starts a node and waits until it listens. */
  static async start(options: NodeProcessOptions): Promise<NodeProcess> {
    const args = ['--node-id', options.nodeId, '--bus', options.bus];
    if (options.redisUrl !== undefined) args.push('--redis', options.redisUrl);
    if (options.leaseMs !== undefined) args.push('--lease-ms', String(options.leaseMs));
    if (options.prefix !== undefined) args.push('--prefix', options.prefix);
    if (options.resumeWindowMs !== undefined) args.push('--resume-window-ms', String(options.resumeWindowMs));
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', NODE_SCRIPT, ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const node = track(new NodeProcess(options.nodeId, child, options.commandTimeoutMs ?? 15_000), (n) => n.terminate());
    const ready = await firstValueFrom(
      node.events$.pipe(
        filter((event) => event.event === 'ready'),
        timeout({ first: 30_000, with: () => Promise.reject(new Error(`node ${options.nodeId} did not start within 30 s${node.stderrTail()}`)) }),
      ),
      { defaultValue: undefined },
    );
    if (ready?.event !== 'ready') throw new Error(`node ${options.nodeId} exited before it was ready${node.stderrTail()}`);
    node.port = ready.port;
    return node;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Runs one command in the node; rejects when it fails there, takes too long, or the node dies. */
  request<T>(command: NodeCommand, timeoutMs = this.commandTimeoutMs): Promise<T> {
    if (this.exitInfo) return Promise.reject(new Error(`node ${this.nodeId} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${this.nodeId}: ${command.cmd} did not answer within ${timeoutMs} ms${this.stderrTail()}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** Kills the node at once, as a crash would: no close frames, no leaving the cluster. */
  async kill(): Promise<void> {
    if (this.exitInfo || this.child.pid === undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the node gracefully if it answers, else kills it. */
  async terminate(): Promise<void> {
    if (this.exitInfo) return;
    await this.request({ cmd: 'stop' }, 5_000).catch(() => undefined);
    const gone = await Promise.race([this.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
    if (!gone) await this.kill();
  }

  private take(text: string): void {
    let line: NodeLine;
    try {
      line = JSON.parse(text) as NodeLine;
    } catch {
      this.stderr.push(`(stdout) ${text}\n`);
      return;
    }
    if (isReply(line)) this.settle(line);
    else {
      this.events.push(line);
      this.events$.next(line);
    }
  }

  private settle(reply: NodeReply): void {
    const waiter = this.pending.get(reply.reply);
    if (!waiter) return;
    this.pending.delete(reply.reply);
    if (reply.error !== undefined) waiter.reject(new Error(`node ${this.nodeId}: ${reply.error}`));
    else waiter.resolve(reply.result);
  }

  private stderrTail(): string {
    const tail = this.stderr.join('').trim();
    return tail ? `\n--- node ${this.nodeId} stderr ---\n${tail.slice(-2_000)}` : '';
  }
}
