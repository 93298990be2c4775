import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { countReached, waitForCount } from '../../../src/transport/operators/wait-for-count.js';
import { testScheduler } from '../../support/marbles.js';

const counts = { a: 0, b: 1, c: 2, d: 3 };
const answers = { t: true, f: false };

describe('countReached', () => {
  it('answers true at once when the replayed count already meets the goal', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // A replaying count stream emits its current value on subscription, like clientCount$.
      const count$ = cold('c-d', counts);
      expectObservable(countReached(count$, 2, 1000, scheduler)).toBe('(t|)', answers);
      expectSubscriptions(count$.subscriptions).toBe('(^!)');
    });
  });

  it('answers true when the count reaches the goal later, and stops listening', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const count$ = hot('^a-b--c-d', counts);
      expectObservable(countReached(count$, 2, 1000, scheduler)).toBe('------(t|)', answers);
      expectSubscriptions(count$.subscriptions).toBe('^-----!');
    });
  });

  it('answers false when the goal is not reached within the timeout', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const count$ = hot('^a-b 50ms a 100ms c', counts);
      expectObservable(countReached(count$, 2, 100, scheduler)).toBe('100ms (f|)', answers);
      expectSubscriptions(count$.subscriptions).toBe('^ 99ms !');
    });
  });

  it('answers false when the count stream completes first (the transport stopped)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const count$ = hot('^a-b-|', counts);
      expectObservable(countReached(count$, 2, 1000, scheduler)).toBe('-----(f|)', answers);
    });
  });

  it('answers false for a count stream that is already complete', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(countReached(cold('|'), 1, 1000, scheduler)).toBe('(f|)', answers);
    });
  });

  it('is met by a goal of 0 at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(countReached(cold('a', counts), 0, 1000, scheduler)).toBe('(t|)', answers);
    });
  });
});

describe('waitForCount', () => {
  it('resolves true at once for a BehaviorSubject that already meets the goal', async () => {
    await expect(waitForCount(new BehaviorSubject(3), 2, 10)).resolves.toBe(true);
  });

  it('resolves false, never rejects, when the count stream completes without reaching the goal', async () => {
    const count$ = new BehaviorSubject(1);
    const answer = waitForCount(count$, 2, 10_000);
    count$.complete();
    await expect(answer).resolves.toBe(false);
  });

  it('resolves false after the timeout (in virtual time)', async () => {
    const scheduler = testScheduler();
    let answer: Promise<boolean> | undefined;
    scheduler.run(() => {
      answer = waitForCount(new BehaviorSubject(0), 1, 30_000, scheduler);
    });
    await expect(answer).resolves.toBe(false);
  });
});
