/**
 * Soak: 10k connect/disconnect cycles against one server, in waves of 100 concurrent clients of
 * several kinds (plain clients that talk and close, plain clients that drop, dropped resumable
 * sessions left to expire, our client transport). Run in a child process with `--expose-gc`
 * (fixtures/soak.ts) so the heap can be measured after a forced GC, away from the test runner's own
 * allocations. Afterwards nothing of the clients may remain: no connected client, the heap back near
 * its baseline, every sampled connection object collected, no socket, server or timer handle left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import { FixtureProcess } from './child-process.js';

afterEach(closeAll);

const CYCLES = 10_000;
const WAVE = 100;
/** The soak's only time bound: the whole run, not any single operation. */
const TIME_LIMIT_MS = 60_000;
/**
 * Enough cycles for a leak to show (each leaked connection would hold kilobytes). The soak aims at
 * CYCLES but stops at the time bound: how many fit is the machine's speed, which is not under test.
 */
const MIN_CYCLES = 2000;
/** A leak check, not a benchmark: 10k leaked connections would hold far more than this. */
const HEAP_MARGIN = 20 * 1024 * 1024;

interface SoakResult {
  readonly cycles: number;
  readonly soakMs: number;
  readonly drained: boolean;
  readonly clientCount: number;
  readonly clients: number;
  readonly errorsReported: number;
  readonly heapBaseline: number;
  readonly heapAfterSoak: number;
  readonly heapAfterStop: number;
  readonly sampled: number;
  readonly sampledAlive: number;
  readonly handlesBefore: Record<string, number>;
  readonly handlesAfter: Record<string, number>;
}

describe('soak', () => {
  it(
    `up to ${CYCLES} connect/disconnect cycles leave no client, no heap growth and no handle behind`,
    async () => {
      const soak = FixtureProcess.start('soak.ts', [String(CYCLES), String(WAVE), String(TIME_LIMIT_MS)], ['--expose-gc']);
      // The fixture stops cycling at the limit by itself; the margin covers start-up and measuring.
      const result = (await soak.event('result', TIME_LIMIT_MS + 30_000)) as unknown as SoakResult;
      expect(await soak.exited, soak.errorOutput).toEqual({ code: 0, signal: null });

      expect(result.cycles, `only ${result.cycles} of ${CYCLES} cycles ran within ${TIME_LIMIT_MS} ms`).toBeGreaterThanOrEqual(MIN_CYCLES);
      expect(result.drained, 'the client count did not come back to 0').toBe(true);
      expect(result.clientCount).toBe(0);
      expect(result.clients).toBe(0);
      expect(result.errorsReported).toBe(0);
      expect(result.heapAfterSoak - result.heapBaseline, `heap after the soak: ${JSON.stringify(result)}`).toBeLessThan(HEAP_MARGIN);
      expect(result.heapAfterStop - result.heapBaseline, `heap after stop: ${JSON.stringify(result)}`).toBeLessThan(HEAP_MARGIN);
      expect(result.sampled).toBeGreaterThan(result.cycles / 100);
      expect(result.sampledAlive, 'connection objects still reachable after the server forgot them').toBe(0);
      expect(result.handlesAfter).toEqual(result.handlesBefore);
      console.info(`soak: ${result.cycles} cycles in ${result.soakMs} ms; heap ${mb(result.heapBaseline)} → ${mb(result.heapAfterSoak)} → ${mb(result.heapAfterStop)} after stop`);
    },
    TIME_LIMIT_MS + 60_000,
  );
});

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
