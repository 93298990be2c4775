import { defer, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, SocketClosed } from '../../../src/transport/client/client-socket.js';
import { reconnect, type ReconnectPolicy } from '../../../src/transport/operators/reconnect.js';
import { testScheduler } from '../../support/marbles.js';

const closed = (code: number): SocketClosed => new SocketClosed(code, 'test', true);
const policy: ReconnectPolicy = { maxRetries: 3, initialDelay: 100, maxDelay: 1000 };
const half = (): number => 0.5;

describe('reconnect', () => {
  it('retries a retryable close after full-jitter delays that double, then gives up after maxRetries', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const dropped = closed(1006);
      // Each attempt fails 2 ms after it starts; the waits are 50, 100, 200 ms (random pinned at 0.5).
      const attempt = cold('--#', undefined, dropped);
      expectObservable(attempt.pipe(reconnect(policy, scheduler, half))).toBe('358ms #', undefined, dropped);
      expectSubscriptions(attempt.subscriptions).toBe(['^-!', '52ms ^-!', '154ms ^-!', '356ms ^-!']);
    });
  });

  it('tells onRetry the attempt number, the delay and the cause before each wait', () => {
    const scheduler = testScheduler();
    const retries: [number, number, number][] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const attempt = cold('-#', undefined, closed(1012));
      const retried = attempt.pipe(reconnect(policy, scheduler, half, (n, delay, cause) => retries.push([n, delay, cause.code])));
      expectObservable(retried).toBe('354ms #', undefined, closed(1012));
    });
    expect(retries).toEqual([
      [1, 50, 1012],
      [2, 100, 1012],
      [3, 200, 1012],
    ]);
  });

  it('retries at once when random is pinned at 0 (the bottom of the jitter window)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold('-#', undefined, closed(1006));
      expectObservable(attempt.pipe(reconnect(policy, scheduler, () => 0))).toBe('----#', undefined, closed(1006));
      expectSubscriptions(attempt.subscriptions).toBe(['^!', '-^!', '--^!', '---^!']);
    });
  });

  it('waits just under the (capped) ceiling when random is pinned near 1', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const capped: ReconnectPolicy = { maxRetries: 3, initialDelay: 100, maxDelay: 150 };
      const attempt = cold('-#', undefined, closed(1006));
      // Ceilings 100, 150 (capped), 150: delays 99, 149, 149.
      expectObservable(attempt.pipe(reconnect(capped, scheduler, () => 0.999_999))).toBe('401ms #', undefined, closed(1006));
      expectSubscriptions(attempt.subscriptions).toBe(['^!', '100ms ^!', '250ms ^!', '400ms ^!']);
    });
  });

  it('starts the count again after each successful open, so a flapping link is retried forever at the first delay', () => {
    const scheduler = testScheduler();
    const delays: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const attempt = cold('--o--#', { o: 'open' }, closed(1006));
      const retried = attempt.pipe(reconnect(policy, scheduler, half, (_n, delay) => delays.push(delay)));
      // open at 2, drop at 5, wait 50, open again 2 ms later, … well past maxRetries (3) drops.
      expectObservable(retried, '^ 450ms !').toBe('--o 54ms o 54ms o 54ms o 54ms o 54ms o 54ms o 54ms o 54ms o', { o: 'open' });
    });
    expect(delays.length).toBeGreaterThan(policy.maxRetries);
    expect(new Set(delays)).toEqual(new Set([50]));
  });

  it("waits at least the server's Retry-After, capped at maxDelay, when it is longer than the jitter", () => {
    const scheduler = testScheduler();
    const delays: number[] = [];
    const refused = (retryAfterMs: number): SocketClosed => new SocketClosed(1006, 'Unexpected server response: 429', false, retryAfterMs);
    const refusals = [refused(300), refused(5000), refused(10), refused(0)];
    let index = 0;
    scheduler.run(({ expectObservable }) => {
      // Each attempt is refused at once, with the next Retry-After.
      const attempt = defer(() => throwError(() => refusals[index++]));
      const retried = attempt.pipe(reconnect(policy, scheduler, half, (_n, delay) => delays.push(delay)));
      // 300 (over the jitter's 50), 1000 (5000 capped at maxDelay), then the jitter's 200 (over 10).
      expectObservable(retried).toBe('1500ms #', undefined, refusals[3]);
    });
    expect(delays).toEqual([300, 1000, 200]);
  });

  it.each([1000, 1002, 1003, 1007, 1008, 1009, 4001, 4003])('lets a fatal close (%i) through at once, without retrying', (code) => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold('--#', undefined, closed(code));
      expectObservable(attempt.pipe(reconnect(policy, scheduler, half))).toBe('--#', undefined, closed(code));
      expectSubscriptions(attempt.subscriptions).toBe('^-!');
    });
  });

  it('lets an error that is not a socket close through at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bug = new TypeError('not a close');
      const attempt = cold('--#', undefined, bug);
      expectObservable(attempt.pipe(reconnect(policy, scheduler, half))).toBe('--#', undefined, bug);
      expectSubscriptions(attempt.subscriptions).toBe('^-!');
    });
  });

  it('never retries with maxRetries 0 (reconnect disabled)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold('--#', undefined, closed(1006));
      expectObservable(attempt.pipe(reconnect({ ...policy, maxRetries: 0 }, scheduler, half))).toBe('--#', undefined, closed(1006));
      expectSubscriptions(attempt.subscriptions).toBe('^-!');
    });
  });

  it('stops waiting when unsubscribed during a backoff delay', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold('--#', undefined, closed(1006));
      expectObservable(attempt.pipe(reconnect(policy, scheduler, half)), '^ 20ms !').toBe('');
      expectSubscriptions(attempt.subscriptions).toBe('^-!');
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Tue, 24 Nov 2026 12:00:30 GMT', 30_000],
    ['Tue, 24 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    [undefined, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
