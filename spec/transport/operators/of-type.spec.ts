import { filter, type Observable } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { isType, ofType } from '../../../src/transport/index.js';
import { testScheduler } from '../../support/marbles.js';

interface Envelope {
  readonly client: string;
  readonly message: JsonObject;
}

const envelopes: Record<string, Envelope> = {
  c: { client: 'one', message: { type: 'custom_command', data: 1 } },
  u: { client: 'two', message: { type: 'update' } },
  s: { client: 'one', message: { type: 'status' } },
  n: { client: 'two', message: { data: 'no type' } },
  x: { client: 'one', message: { type: 42 } },
};

describe('ofType', () => {
  it('keeps only the messages of the wanted type, in order, and passes completion through', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages$ = hot<Envelope>('-c-u-n-c-x-|', envelopes);
      expectObservable(messages$.pipe(ofType('custom_command'))).toBe('-c-----c---|', envelopes);
    });
  });

  it('accepts several types', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages$ = hot<Envelope>('-c-u-s-n-|', envelopes);
      expectObservable(messages$.pipe(ofType('update', 'status'))).toBe('---u-s---|', envelopes);
    });
  });

  it('passes errors through', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages$ = hot<Envelope>('-c-#', envelopes, new Error('boom'));
      expectObservable(messages$.pipe(ofType('custom_command'))).toBe('-c-#', envelopes, new Error('boom'));
    });
  });

  it('narrows the message type', () => {
    const routed = (source: Observable<Envelope>) => source.pipe(ofType('update', 'status'));
    expectTypeOf(routed).returns.toEqualTypeOf<Observable<Envelope & { readonly message: JsonObject & { type: 'update' | 'status' } }>>();
  });
});

describe('isType', () => {
  it('matches a string type only', () => {
    const isUpdate = isType('update');
    expect(isUpdate({ type: 'update' })).toBe(true);
    expect(isUpdate({ type: 'status' })).toBe(false);
    expect(isUpdate({})).toBe(false);
    expect(isUpdate({ type: ['update'] })).toBe(false);
    expect(isType('update', 'status')({ type: 'status' })).toBe(true);
  });

  it('works as a filter over plain messages', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages = { a: { type: 'update', v: 1 }, b: { type: 'other' }, c: { type: 'update', v: 2 } };
      const messages$ = hot<JsonObject>('a-b-c|', messages);
      expectObservable(messages$.pipe(filter(isType('update')))).toBe('a---c|', messages);
    });
  });
});
