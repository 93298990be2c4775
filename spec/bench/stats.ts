/**
 * A monotonic clock in milliseconds. `process.hrtime` reads CLOCK_MONOTONIC on Linux, which every
 * process on the machine shares, so a timestamp taken in the server can be compared with one taken
 * in the load generator.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU time this process has used (user + system) and when it was read, to compute utilisation. */
export interface CpuSample {
  readonly cpuMs: number;
  readonly atMs: number;
}

export function cpuSample(): CpuSample {
  const { user, system } = process.cpuUsage();
  return { cpuMs: (user + system) / 1000, atMs: nowMs() };
}

/** The share of one core a process used between two samples (1 = one core saturated). */
export function cpuBetween(from: CpuSample, to: CpuSample): number {
  return to.atMs > from.atMs ? (to.cpuMs - from.cpuMs) / (to.atMs - from.atMs) : Number.NaN;
}

/** Every latency sample of a run, kept exactly (sorted once at the end) rather than bucketed. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  get count(): number {
    return this.size;
  }

  record(latencyMs: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = latencyMs;
  }

  /** Percentiles (0–100) by the nearest-rank method; `NaN` when nothing was recorded. */
  percentiles(...ranks: number[]): number[] {
    const sorted = this.samples.slice(0, this.size).sort();
    return ranks.map((rank) => {
      if (sorted.length === 0) return Number.NaN;
      const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
      return sorted[index] ?? Number.NaN;
    });
  }
}

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** Round trips completed inside the measurement window. */
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Round trips that failed (any time); a healthy run has none. */
  readonly errors: number;
  /** Share of a core this (load-generating) process used during the measured window. */
  readonly loadCpu: number;
}

/**
 * Runs every caller in a closed loop (one request in flight per caller, the next sent when the
 * reply arrives) for `warmupMs` unmeasured, then `durationMs` measured. Stops by itself: no caller
 * starts a request after the deadline, and the first error stops that caller.
 */
export async function runClosedLoop(
  callers: readonly (() => Promise<unknown>)[],
  warmupMs: number,
  durationMs: number,
): Promise<ClosedLoopResult> {
  const recorder = new LatencyRecorder();
  const start = nowMs();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  let errors = 0;
  let firstError: unknown;
  let cpuAtStart: CpuSample | undefined;
  let cpuAtEnd: CpuSample | undefined;
  // Samples at the window's edges, taken by whichever caller crosses each edge first.
  const sampleEdges = (at: number): void => {
    if (at >= measureFrom && !cpuAtStart) cpuAtStart = cpuSample();
    if (at >= end && !cpuAtEnd) cpuAtEnd = cpuSample();
  };
  const loop = async (call: () => Promise<unknown>): Promise<void> => {
    for (let sent = nowMs(); sent < end; sent = nowMs()) {
      try {
        await call();
      } catch (error) {
        errors += 1;
        firstError ??= error;
        return;
      }
      const received = nowMs();
      sampleEdges(received);
      if (sent >= measureFrom && received <= end) recorder.record(received - sent);
    }
  };
  await Promise.all(callers.map(loop));
  if (recorder.count === 0 && firstError !== undefined) {
    throw firstError instanceof Error ? firstError : new Error('Every call failed', { cause: firstError });
  }
  const [p50Ms = Number.NaN, p99Ms = Number.NaN] = recorder.percentiles(50, 99);
  const seconds = durationMs / 1000;
  const loadCpu = cpuAtStart && cpuAtEnd ? cpuBetween(cpuAtStart, cpuAtEnd) : Number.NaN;
  return { requests: recorder.count, seconds, perSecond: recorder.count / seconds, p50Ms, p99Ms, errors, loadCpu };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** One measured repetition of a closed-loop run, with the server's CPU share over it. */
export type MeasuredRun = ClosedLoopResult & { readonly serverCpu: number };

/** The numbers of one repetition kept in the results, so that their spread can be read. */
export interface RepetitionSummary {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Repetitions of the same closed-loop measurement as one: throughput over their total time,
 * latency percentiles and CPU shares as the median of the repetitions' values.
 */
export function combineRuns(runs: readonly MeasuredRun[]): ClosedLoopResult & {
  readonly serverCpu: number;
  readonly repetitions: readonly RepetitionSummary[];
} {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    loadCpu: median(runs.map((run) => run.loadCpu)),
    serverCpu: median(runs.map((run) => run.serverCpu)),
    repetitions: runs.map(({ perSecond, p50Ms, p99Ms }) => ({ perSecond, p50Ms, p99Ms })),
  };
}
