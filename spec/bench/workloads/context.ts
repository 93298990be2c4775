import { join } from 'node:path';
import { firstValueFrom, timer } from 'rxjs';
import { ChildHandle, type Placement } from '../child.js';
import type { BenchConfig, TransportPeer } from '../config.js';
import type { Failure } from '../results.js';
import { cpuBetween, type CpuSample } from '../stats.js';

/** What every workload's driver side needs. */
export interface RunContext {
  readonly config: BenchConfig;
  readonly placement: Placement;
  readonly verbose: boolean;
  /** When set, servers run under `--cpu-prof` and write their profiles here (one folder per workload and server). */
  readonly profileDir: string | undefined;
  readonly failures: Failure[];
  log(line: string): void;
}

/** Starts the transport server `peer` on the server core, with `--expose-gc` (and `--cpu-prof` when profiling). */
export function startPeerServer(context: RunContext, peer: TransportPeer, workload: string): ChildHandle {
  return ChildHandle.start(
    {
      label: `server ${peer}`,
      script: 'spec/bench/servers/server-main.ts',
      args: ['--peer', peer],
      nodeFlags: ['--expose-gc', ...profileFlags(context, `${workload}-${peer}`)],
      core: context.placement.serverCore,
    },
    context.placement,
    context.verbose,
  );
}

/** Starts a load generator for `peer` on the load core. */
export function startPeerLoad(context: RunContext, peer: TransportPeer): ChildHandle {
  return ChildHandle.start(
    { label: `load ${peer}`, script: 'spec/bench/load/load-main.ts', args: ['--peer', peer], core: context.placement.loadCore },
    context.placement,
    context.verbose,
  );
}

export function profileFlags(context: RunContext, name: string): string[] {
  if (!context.profileDir) return [];
  return ['--cpu-prof', '--cpu-prof-dir', join(context.profileDir, name)];
}

/**
 * Runs `body` with freshly started children and always stops them afterwards, whether the body
 * succeeded or not. A failure is recorded under `workload`/`subject` and the run goes on.
 */
export async function withChildren<T>(
  context: RunContext,
  workload: string,
  subject: string,
  start: () => ChildHandle[],
  body: (children: ChildHandle[]) => Promise<T>,
): Promise<T | undefined> {
  const children: ChildHandle[] = [];
  try {
    children.push(...start());
    await Promise.all(children.map((child) => child.ready));
    return await body(children);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.failures.push({ workload, subject, error: message });
    context.log(`  ${workload} ${subject} FAILED: ${message}`);
    return undefined;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/** The port a server child announced in its ready message. */
export async function portOf(server: ChildHandle): Promise<number> {
  const info = (await server.ready) as { port?: unknown };
  if (typeof info.port !== 'number') throw new Error(`${server.label} did not announce a port`);
  return info.port;
}

/**
 * The server's CPU utilisation (share of one core) over the middle of a closed-loop run that starts
 * now: sampled from 10 % to 90 % of the measured window, clear of connecting and warm-up.
 */
export async function serverCpuDuring(server: ChildHandle, warmupMs: number, durationMs: number): Promise<number> {
  await firstValueFrom(timer(warmupMs + durationMs * 0.1));
  const from = await server.request<CpuSample>('cpu', {}, 5_000);
  await firstValueFrom(timer(durationMs * 0.8));
  const to = await server.request<CpuSample>('cpu', {}, 5_000);
  return cpuBetween(from, to);
}

/** A utilisation as a percentage of one core, for logs. */
export function percent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a';
}
