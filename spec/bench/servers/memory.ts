import { setImmediate as nextTurn } from 'node:timers/promises';

/** The server's memory after a forced full collection. */
export interface MemorySample {
  readonly heapUsed: number;
  readonly rss: number;
  /** Memory of Buffers and other C++ objects tied to JS objects. */
  readonly external: number;
}

/**
 * Forces full collections (the process runs with `--expose-gc`) until the heap stops shrinking, then
 * samples `process.memoryUsage()`. Several passes, a turn apart, let weak callbacks and finalisers run.
 */
export async function measureMemory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('The server must run with --expose-gc to measure memory');
  let previous = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 10; pass += 1) {
    gc();
    await nextTurn();
    const heapUsed = process.memoryUsage().heapUsed;
    if (heapUsed >= previous * 0.999) break;
    previous = heapUsed;
  }
  const { heapUsed, rss, external } = process.memoryUsage();
  return { heapUsed, rss, external };
}
