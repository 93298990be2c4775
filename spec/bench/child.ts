import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, timer } from 'rxjs';
import { isRpcMessage, type RpcRequest, type RpcResponse } from './rpc.js';

/** The repository root: children run from here so that `--import tsx` resolves. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Open-file limit asked for in each child; the hard limit caps it when we may not raise it. */
const WANTED_OPEN_FILES = 65_535;

/** How children are placed on the machine, decided once per run. */
export interface Placement {
  /** `taskset` exists and the machine has at least two cores. */
  readonly pinned: boolean;
  readonly serverCore: number;
  readonly loadCore: number;
}

export function detectPlacement(disablePinning: boolean, cores: number): Placement {
  const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return { pinned: !disablePinning && hasTaskset && cores >= 2, serverCore: 0, loadCore: 1 };
}

/** The soft and hard open-file limits a child gets after the wrapper's `ulimit -n`. */
export function childOpenFileLimit(): { readonly wanted: number; readonly granted: number; readonly hard: string } {
  const probe = spawnSync('bash', ['-c', `${raiseOpenFiles}; echo "$(ulimit -n) $(ulimit -Hn)"`], { encoding: 'utf8' });
  const [granted = 'NaN', hard = 'unknown'] = probe.stdout.trim().split(' ');
  return { wanted: WANTED_OPEN_FILES, granted: Number(granted), hard };
}

const raiseOpenFiles = `ulimit -n ${WANTED_OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;

export interface ChildSpec {
  /** For messages: `server nexus`, `load rtt`. */
  readonly label: string;
  /** A TypeScript file under spec/bench, relative to the repository root. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly nodeFlags?: readonly string[];
  /** Pin to this core when placement allows. */
  readonly core?: number;
}

const live = new Set<ChildHandle>();

/**
 * One benchmark child process, started through `bash` (to raise `ulimit -n`) and `taskset` (to pin
 * it), talking to the driver over IPC. `exec` keeps one pid from bash to node, so killing that pid
 * kills the child.
 */
export class ChildHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly stderrTail: string[] = [];
  private exitError: Error | undefined;
  readonly exited: Promise<number | null>;
  readonly ready: Promise<unknown>;

  private constructor(
    readonly label: string,
    private readonly process: ChildProcess,
    verbose: boolean,
  ) {
    live.add(this);
    process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (verbose) globalThis.process.stderr.write(prefixLines(label, chunk));
      this.stderrTail.push(chunk);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (verbose) globalThis.process.stderr.write(prefixLines(label, chunk));
    });
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        live.delete(this);
        this.exitError = new Error(`${label} exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})${this.describeStderr()}`);
        for (const { reject } of this.pending.values()) reject(this.exitError);
        this.pending.clear();
        resolve(code);
      });
    });
    this.ready = new Promise((resolve, reject) => {
      process.on('message', (message: unknown) => {
        if (!isRpcMessage(message)) return;
        if (message.rpc === 'ready') resolve(message.info);
        if (message.rpc === 'response') this.settle(message);
      });
      void this.exited.then(() => reject(this.exitError ?? new Error(`${label} exited`)));
    });
    // An early exit must not surface as an unhandled rejection when nobody awaits `ready` yet.
    this.ready.catch(() => undefined);
  }

  static start(spec: ChildSpec, placement: Placement, verbose: boolean): ChildHandle {
    const node = [globalThis.process.execPath, ...(spec.nodeFlags ?? []), '--import', 'tsx', spec.script, ...(spec.args ?? [])];
    const pinned = placement.pinned && spec.core !== undefined ? ['taskset', '-c', String(spec.core)] : [];
    const child = spawn('bash', ['-c', `${raiseOpenFiles}; exec "$@"`, 'bash', ...pinned, ...node], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...globalThis.process.env, NODE_OPTIONS: '' },
    });
    return new ChildHandle(spec.label, child, verbose);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Calls `method` in the child; rejects after `timeoutMs`, or when the child exits first. */
  async request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.exitError) throw this.exitError;
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.process.send({ rpc: 'request', id, method, params } satisfies RpcRequest);
    const expired = firstValueFrom(timer(timeoutMs)).then(() => {
      throw new Error(`${this.label}: ${method} did not answer within ${timeoutMs} ms${this.describeStderr()}`);
    });
    try {
      return (await Promise.race([reply, expired])) as T;
    } finally {
      this.pending.delete(id);
    }
  }

  /** Asks the child to stop by itself (so that `--cpu-prof` can write its profile), then kills it. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitError) return;
    await this.request('stop', {}, graceMs).catch(() => undefined);
    await Promise.race([this.exited, firstValueFrom(timer(graceMs))]);
    this.kill();
  }

  kill(): void {
    if (this.exitError || this.process.pid === undefined) return;
    this.process.kill('SIGKILL');
  }

  private settle(message: RpcResponse): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    if (message.error !== undefined) waiter.reject(new Error(`${this.label}: ${message.error}`));
    else waiter.resolve(message.result);
  }

  private describeStderr(): string {
    const tail = this.stderrTail.join('').trim();
    return tail ? `\n--- ${this.label} stderr ---\n${tail.slice(-2_000)}` : '';
  }
}

/** Kills every child still running. Safe to call from an exit handler (synchronous). */
export function killAllChildren(): void {
  for (const child of live) child.kill();
}

/** Children still running, for the driver's last check. */
export function liveChildren(): number {
  return live.size;
}

function prefixLines(label: string, chunk: string): string {
  return chunk
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `[${label}] ${line}\n`)
    .join('');
}
