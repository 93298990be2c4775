import { Subject, Subscription, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { InFlightCalls } from '../../../src/transport/flow/in-flight.js';
import { runHandlers, type HandlerReply, type MessageHandler } from '../../../src/transport/flow/run-handlers.js';
import { testScheduler } from '../../support/marbles.js';

/** A client as the handler stage needs it: a call count and a list of work to cancel when it goes. */
class FakeClient {
  pendingCalls = 0;
  readonly work = new Subscription();
  constructor(readonly id: string) {}
  track(subscription: Subscription): void {
    this.work.add(subscription);
  }
}

const a = new FakeClient('a');
const b = new FakeClient('b');

/** The replies of the handler stage for `messages$`, as `id:reply` strings, and what failed. */
function stage(handler: MessageHandler<FakeClient>, calls = new InFlightCalls()) {
  const failures: unknown[] = [];
  const run = (messages$: Observable<{ client: FakeClient; message: JsonObject }>): Observable<HandlerReply<FakeClient>> =>
    messages$.pipe(runHandlers(handler, calls, (_client, _request, error) => failures.push(error)));
  return { run, failures, calls };
}

describe('runHandlers: the handler stage of the pipeline', () => {
  it('emits plain replies at once, in message order, and nothing for "no reply"', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { run } = stage((message) => (message['n'] === 2 ? undefined : { echo: message['n'] }));
      const messages$ = hot('-x-y-z', { x: { client: a, message: { n: 1 } }, y: { client: b, message: { n: 2 } }, z: { client: a, message: { n: 3 } } });
      expectObservable(run(messages$)).toBe('-r---s', {
        r: { client: a, reply: { echo: 1 }, request: { n: 1 } },
        s: { client: a, reply: { echo: 3 }, request: { n: 3 } },
      });
    });
  });

  it('runs Observable replies concurrently (mergeMap): each emits on its own schedule', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const slow = cold('----a|', { a: { slow: true } });
      const fast = cold('-b|', { b: { fast: true } });
      const { run } = stage((message) => (message['slow'] === true ? slow : fast));
      const messages$ = hot('-x-y', { x: { client: a, message: { slow: true } }, y: { client: b, message: {} } });
      expectObservable(run(messages$)).toBe('----fs', {
        f: { client: b, reply: { fast: true }, request: {} },
        s: { client: a, reply: { slow: true }, request: { slow: true } },
      });
    });
  });

  it("hands an Observable reply to its client, so it ends when the client is gone", () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions, flush }) => {
      const client = new FakeClient('c');
      const reply$ = cold('-a-b-c', { a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
      const { run } = stage(() => reply$);
      expectObservable(run(hot('x', { x: { client, message: {} } }))).toBe('-a-', { a: { client, reply: { n: 1 }, request: {} } });
      hot('---g').subscribe(() => client.work.unsubscribe());
      expectSubscriptions(reply$.subscriptions).toBe('^--!');
      flush();
    });
  });

  it('counts a call until its result settles: at once for a value, at completion or cancellation for a stream', () => {
    const calls = new InFlightCalls();
    const client = new FakeClient('d');
    const replies = new Subject<JsonObject>();
    const { run } = stage((message) => (message['stream'] === true ? replies : { ok: true }), calls);
    const input = new Subject<{ client: FakeClient; message: JsonObject }>();
    run(input).subscribe();
    input.next({ client, message: {} });
    expect([calls.count, client.pendingCalls]).toEqual([0, 0]);
    input.next({ client, message: { stream: true } });
    input.next({ client, message: { stream: true } });
    expect([calls.count, client.pendingCalls]).toEqual([2, 2]);
    replies.complete();
    expect([calls.count, client.pendingCalls]).toEqual([0, 0]);
  });

  it('reports a throw, a rejection and an erroring stream to `failed`, and the stage goes on', async () => {
    const boom = new Error('boom');
    const handler: MessageHandler<FakeClient> = (message) => {
      if (message['how'] === 'throw') throw boom;
      if (message['how'] === 'reject') return Promise.reject(boom);
      if (message['how'] === 'error') return new Subject<JsonObject>().asObservable().pipe(() => { throw boom; });
      return Promise.resolve({ fine: true });
    };
    const { run, failures, calls } = stage(handler);
    const input = new Subject<{ client: FakeClient; message: JsonObject }>();
    const replies: JsonObject[] = [];
    run(input).subscribe(({ reply }) => replies.push(reply));
    for (const how of ['throw', 'reject', 'fine']) input.next({ client: a, message: { how } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([boom, boom]);
    expect(replies).toEqual([{ fine: true }]);
    expect(calls.count).toBe(0);
  });
});
