import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorReplyCodec, JsonObjectCodec, NotificationCodec, TypedMessageCodec } from '../../src/protocol/index.js';

describe('JsonObjectCodec', () => {
  it('accepts every JSON object and rejects arrays, null and primitives', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => JsonObjectCodec.is(object)));
    for (const value of [null, [], [1], 'x', 1, true, undefined]) {
      expect(JsonObjectCodec.is(value)).toBe(false);
      expect(E.isLeft(JsonObjectCodec.decode(value))).toBe(true);
    }
  });
});

describe('envelope codecs', () => {
  it('TypedMessageCodec wants a string type', () => {
    expect(TypedMessageCodec.is({ type: 'custom_command', data: 1 })).toBe(true);
    expect(TypedMessageCodec.is({ type: 7 })).toBe(false);
    expect(TypedMessageCodec.is({ data: 1 })).toBe(false);
  });

  it('ErrorReplyCodec describes the error reply, with an optional code', () => {
    expect(ErrorReplyCodec.is({ type: 'error', error: 'Invalid JSON message' })).toBe(true);
    expect(ErrorReplyCodec.is({ type: 'error', error: 'Invalid JSON message', code: 'invalid_json' })).toBe(true);
    expect(ErrorReplyCodec.is({ type: 'error' })).toBe(false);
    expect(ErrorReplyCodec.is({ type: 'reply', error: 'x' })).toBe(false);
  });

  it('NotificationCodec wants type "notification"', () => {
    expect(NotificationCodec.is({ type: 'notification', event: 'server_update' })).toBe(true);
    expect(NotificationCodec.is({ type: 'update' })).toBe(false);
  });
});
