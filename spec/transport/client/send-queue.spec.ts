import { mergeMap, Observable, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { QueueExpiredError, QueueFullError, TransportStoppedError, type SendQueueLimits } from '../../../src/transport/index.js';
import { SendQueue, type Settle } from '../../../src/transport/client/send-queue.js';
import { testScheduler } from '../../support/marbles.js';

const limits: SendQueueLimits = { maxCount: 10, maxBytes: 1000, maxAgeMs: 100 };

/** Enqueues `data` on subscription and emits how its send settled: 'sent' or the error's code. */
function send(queue: SendQueue, data: string): Observable<string> {
  return new Observable<string>((subscriber) => {
    queue.enqueue(data, (error) => {
      subscriber.next(error ? error.code : 'sent');
      subscriber.complete();
    });
  });
}

/** A writer that succeeds at once and records what it wrote. */
function recorder(): { written: string[]; write: (data: string, settle: Settle) => void } {
  const written: string[] = [];
  return {
    written,
    write: (data, settle) => {
      written.push(data);
      settle();
    },
  };
}

const queueOn = (scheduler: SchedulerLike, overrides: Partial<SendQueueLimits> = {}): SendQueue =>
  new SendQueue({ ...limits, ...overrides }, scheduler);

describe('SendQueue', () => {
  it('flushes what waited in the order it was sent, and settles each', () => {
    const scheduler = testScheduler();
    const { written, write } = recorder();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler);
      const sends = cold('a-b-c|').pipe(mergeMap((data) => send(queue, data)));
      cold('------f').subscribe(() => queue.flush(write));
      expectObservable(sends).toBe('------(sss|)', { s: 'sent' });
    });
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('is empty after a flush, and a later flush writes only what came after', () => {
    const scheduler = testScheduler();
    const { written, write } = recorder();
    const queue = queueOn(scheduler);
    queue.enqueue('{"n":1}', () => undefined);
    queue.enqueue('{"n":2}', () => undefined);
    expect(queue.size).toBe(2);
    expect(queue.byteLength).toBe(14);
    queue.flush(write);
    expect(queue.size).toBe(0);
    expect(queue.byteLength).toBe(0);
    queue.enqueue('{"n":3}', () => undefined);
    queue.flush(write);
    expect(written).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('refuses a send past maxCount at once with QueueFullError, keeping the ones already queued', () => {
    const scheduler = testScheduler();
    const { written, write } = recorder();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler, { maxCount: 2 });
      const sends = cold('abc|').pipe(mergeMap((data) => send(queue, data)));
      cold('----f').subscribe(() => queue.flush(write));
      expectObservable(sends).toBe('--q-(ss|)', { s: 'sent', q: 'queue_full' });
    });
    expect(written).toEqual(['a', 'b']);
  });

  it('refuses a send that would pass maxBytes, counting UTF-8 bytes, and accepts a smaller one after it', () => {
    const scheduler = testScheduler();
    const { written, write } = recorder();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler, { maxBytes: 10 });
      // 6 bytes; 8 bytes in UTF-8 though 4 characters (6 + 4 would fit); 4 bytes (6 + 4 = 10 fits).
      const data = { a: 'aaaaaa', b: 'éééé', c: 'cccc' };
      const sends = cold('a-b-c|', data).pipe(mergeMap((d) => send(queue, d)));
      cold('------f').subscribe(() => queue.flush(write));
      expectObservable(sends).toBe('--q---(ss|)', { s: 'sent', q: 'queue_full' });
    });
    expect(written).toEqual(['aaaaaa', 'cccc']);
  });

  it('says why it is full', () => {
    const queue = new SendQueue({ maxCount: 1, maxBytes: 100, maxAgeMs: 100 }, testScheduler());
    const errors: unknown[] = [];
    queue.enqueue('one', () => undefined);
    queue.enqueue('two', (error) => errors.push(error));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueueFullError);
    expect((errors[0] as Error).message).toMatch(/full \(1\/1 messages, 3\/100 bytes\)/);
  });

  it('expires each message maxAgeMs after it was queued, in virtual time', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler);
      const sends = cold('a 29ms b|').pipe(mergeMap((data) => send(queue, data)));
      expectObservable(sends).toBe('100ms e 29ms (e|)', { e: 'queue_expired' });
    });
  });

  it('writes what has not expired yet and reports what has, when a flush comes between', () => {
    const scheduler = testScheduler();
    const { written, write } = recorder();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler);
      const sends = cold('a 29ms b|').pipe(mergeMap((data) => send(queue, data)));
      cold('110ms f').subscribe(() => queue.flush(write));
      expectObservable(sends).toBe('100ms e 9ms (s|)', { e: 'queue_expired', s: 'sent' });
    });
    expect(written).toEqual(['b']);
  });

  it('frees the room of an expired message', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const queue = queueOn(scheduler, { maxCount: 1 });
      const sends = cold('a 49ms b 59ms c|').pipe(mergeMap((data) => send(queue, data)));
      // b (at 50) is refused while a waits; a expires at 100; c (at 110) fits again and expires at 210.
      expectObservable(sends).toBe('50ms q 49ms e 109ms (e|)', { q: 'queue_full', e: 'queue_expired' });
    });
  });

  it('does not expire a message that was flushed', () => {
    const scheduler = testScheduler();
    const outcomes: (string | undefined)[] = [];
    scheduler.run(({ cold }) => {
      const queue = queueOn(scheduler);
      queue.enqueue('a', (error) => outcomes.push(error?.code));
      cold('50ms f').subscribe(() => queue.flush(recorder().write));
    });
    expect(outcomes).toEqual([undefined]);
  });

  it('rejectAll settles every waiting send with the given error and empties the queue', () => {
    const queue = queueOn(testScheduler());
    const outcomes: unknown[] = [];
    queue.enqueue('a', (error) => outcomes.push(error));
    queue.enqueue('b', (error) => outcomes.push(error));
    const stopped = new TransportStoppedError('stopped');
    queue.rejectAll(stopped);
    expect(outcomes).toEqual([stopped, stopped]);
    expect(queue.size).toBe(0);
    expect(queue.byteLength).toBe(0);
  });

  it('uses QueueExpiredError for expiry', () => {
    const scheduler = testScheduler();
    const outcomes: unknown[] = [];
    scheduler.run(() => {
      queueOn(scheduler).enqueue('a', (error) => outcomes.push(error));
    });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(QueueExpiredError);
    expect((outcomes[0] as Error).message).toMatch(/100 ms/);
  });
});
