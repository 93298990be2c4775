import { asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { admit } from '../../../src/transport/flow/admit.js';
import { drained } from '../../../src/transport/flow/drain.js';
import { InFlightCalls, inFlightVerdict } from '../../../src/transport/flow/in-flight.js';
import { everyMessageStartsWork, stoppingVerdict } from '../../../src/transport/flow/stopping.js';
import { testScheduler } from '../../support/marbles.js';

const isRequest = (message: Record<string, unknown>): boolean => 'id' in message;

describe('admit: a verdict per item, refusals to one place', () => {
  it('lets through what the verdict accepts and hands the rest, with the verdict, to refuse', () => {
    const refused: [number, string][] = [];
    testScheduler().run(({ hot, expectObservable }) => {
      const odd$ = hot('-1-2-3-4|').pipe(admit((n: string) => (Number(n) % 2 === 0 ? 'even' : undefined), (n, why) => refused.push([Number(n), why])));
      expectObservable(odd$).toBe('-1---3--|');
    });
    expect(refused).toEqual([
      [2, 'even'],
      [4, 'even'],
    ]);
  });
});

describe('the in-flight cap', () => {
  it('refuses work from a client with max calls unfinished, and only work', () => {
    const verdict = inFlightVerdict(2, isRequest);
    const busy = { pendingCalls: 2 };
    const idle = { pendingCalls: 1 };
    expect(verdict({ client: busy, message: { id: 1 } })).toBe('overloaded');
    expect(verdict({ client: busy, message: { method: 'notify' } })).toBeUndefined();
    expect(verdict({ client: idle, message: { id: 2 } })).toBeUndefined();
  });
});

describe('refusing new work while stopping', () => {
  it('refuses what starts work once stopping, and lets replies and notifications finish what runs', () => {
    let stopping = false;
    const verdict = stoppingVerdict(() => stopping, isRequest);
    expect(verdict({ message: { id: 1 } })).toBeUndefined();
    stopping = true;
    expect(verdict({ message: { id: 1 } })).toBe('shutting_down');
    expect(verdict({ message: { result: {} } })).toBeUndefined();
    expect(stoppingVerdict(() => true, everyMessageStartsWork)({ message: {} })).toBe('shutting_down');
  });
});

describe('drained: the wait of a graceful stop', () => {
  const client = { pendingCalls: 0 };

  it('emits when the last call finishes, if that is before the deadline', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const calls = new InFlightCalls();
      calls.begin(client);
      cold('---e').subscribe(() => calls.end(client));
      expectObservable(drained(calls, 10, asyncScheduler)).toBe('---(d|)', { d: undefined });
    });
  });

  it('emits at once when no call is running', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(drained(new InFlightCalls(), 10, asyncScheduler)).toBe('(d|)', { d: undefined });
    });
  });

  it('emits at the deadline when calls are still running, and at once with no deadline', () => {
    testScheduler().run(({ expectObservable }) => {
      const calls = new InFlightCalls();
      calls.begin(client);
      expectObservable(drained(calls, 10, asyncScheduler)).toBe('----------(d|)', { d: undefined });
      expectObservable(drained(calls, 0, asyncScheduler)).toBe('(d|)', { d: undefined });
    });
  });
});
