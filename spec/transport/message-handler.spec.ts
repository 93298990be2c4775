import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/protocol/index.js';
import { invokeHandler, type MessageHandler } from '../../src/transport/message-handler.js';
import { routeByType } from '../../src/transport/index.js';
import { testScheduler } from '../support/marbles.js';

const client = { id: 'client-1' };
type Client = typeof client;

/** What `invokeHandler` hands to its sink, as a stream: replies as values, a failure as the error. */
function outcomes(handler: MessageHandler<Client>, message: JsonObject): Observable<JsonObject> {
  return new Observable<JsonObject>((subscriber) =>
    invokeHandler(handler, message, client, {
      reply: (reply) => subscriber.next(reply),
      fail: (error) => subscriber.error(error),
    }),
  );
}

describe('routeByType', () => {
  const handlers = {
    custom_command: (message: JsonObject) => ({ type: 'custom_response', echoed: message['data'] }),
    status: (_message: JsonObject, c: Client) => ({ type: 'status_response', client: c.id }),
  };

  it('calls the handler registered for the message type, with the message and the client', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 'custom_command', data: 7 }, client)).toEqual({ type: 'custom_response', echoed: 7 });
    expect(route({ type: 'status' }, client)).toEqual({ type: 'status_response', client: 'client-1' });
  });

  it("sends other types, and untyped messages, to '*'", () => {
    const route = routeByType<Client>({ ...handlers, '*': (message) => ({ type: 'fallback', original: message }) });
    expect(route({ type: 'something_else' }, client)).toEqual({ type: 'fallback', original: { type: 'something_else' } });
    expect(route({ data: 1 }, client)).toEqual({ type: 'fallback', original: { data: 1 } });
  });

  it('answers an unknown type with an error reply that names it, when there is no fallback', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 'custom_comand' }, client)).toEqual({
      type: 'error',
      error: 'Unknown message type: "custom_comand"',
      code: 'unknown_type',
    });
    expect(route({ data: 1 }, client)).toEqual({ type: 'error', error: 'Unknown message type: none', code: 'unknown_type' });
  });

  it('names an unknown type quoted and cut to 128 characters, control characters escaped', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 't'.repeat(100_000) }, client)).toMatchObject({ error: `Unknown message type: "${'t'.repeat(128)}…"` });
    expect(route({ type: 'two\nlines\u202E' }, client)).toMatchObject({ error: 'Unknown message type: "two\\nlines\\u202e"' });
  });

  it('does not mistake inherited object keys for handlers', () => {
    const route = routeByType<Client>(handlers);
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(route({ type }, client)).toMatchObject({ type: 'error', code: 'unknown_type' });
    }
  });
});

describe('invokeHandler', () => {
  const message = { type: 'request' };

  it('delivers a plain reply at once', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(outcomes(() => ({ type: 'reply' }), message)).toBe('r', { r: { type: 'reply' } });
    });
  });

  it('delivers nothing when the handler returns nothing', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(outcomes(() => undefined, message)).toBe('');
    });
  });

  it('delivers every value of an Observable reply, in order', () => {
    const replies = { a: { type: 'progress', n: 1 }, b: { type: 'progress', n: 2 }, c: { type: 'done' } };
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(outcomes(() => cold('-a-b--c|', replies), message)).toBe('-a-b--c', replies);
    });
  });

  it('fails after the replies an Observable gave before it errored', () => {
    const replies = { a: { type: 'partial' } };
    const boom = new Error('boom');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(outcomes(() => cold('-a-#', replies, boom), message)).toBe('-a-#', replies, boom);
    });
  });

  it('stops an Observable reply when cancelled (the client went away)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const reply$ = cold('-a-b-c', { a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
      expectObservable(outcomes(() => reply$, message), '^--!').toBe('-a-', { a: { n: 1 } });
      expectSubscriptions(reply$.subscriptions).toBe('^--!');
    });
  });

  it('fails when the handler throws', () => {
    const boom = new Error('boom');
    testScheduler().run(({ expectObservable }) => {
      const throwing = (): JsonObject => {
        throw boom;
      };
      expectObservable(outcomes(throwing, message)).toBe('#', undefined, boom);
    });
  });

  it('delivers a promised reply, and fails on a rejected promise', async () => {
    const replies: JsonObject[] = [];
    const failures: unknown[] = [];
    const sink = { reply: (r: JsonObject) => replies.push(r), fail: (e: unknown) => failures.push(e) };
    const resolved = Promise.resolve({ type: 'later' });
    const empty = Promise.resolve(undefined);
    const rejected = Promise.reject(new Error('nope'));
    invokeHandler(() => resolved, message, client, sink);
    invokeHandler(() => empty, message, client, sink);
    invokeHandler(() => rejected, message, client, sink);
    await Promise.allSettled([resolved, empty, rejected]);
    expect(replies).toEqual([{ type: 'later' }]);
    expect(failures).toEqual([new Error('nope')]);
  });
});
