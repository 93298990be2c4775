import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTextFrame, frameError, type FrameErrorKind } from '../../src/protocol/index.js';

const jsonObject = fc.dictionary(fc.string(), fc.jsonValue());
const nonObjectJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.array(fc.jsonValue()),
);
const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const notJson = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json().map((json) => `${json}}`)).filter((text) => !isJson(text));

/** Whether a parsed value holds `__proto__`, or a `constructor` object holding `prototype`, at any depth. */
function hasForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  const ctor: unknown = (value as Record<string, unknown>)['constructor'];
  if (Object.hasOwn(value, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) return true;
  return Object.values(value).some(hasForbiddenKey);
}

const kindOf = (text: string): FrameErrorKind | 'ok' => {
  const decoded = decodeTextFrame(text);
  return E.isLeft(decoded) ? decoded.left.kind : 'ok';
};

describe('decodeTextFrame', () => {
  it('accepts any JSON object and gives it back unchanged (round trip)', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        const text = JSON.stringify(object);
        fc.pre(!hasForbiddenKey(JSON.parse(text)));
        const decoded = decodeTextFrame(text);
        expect(E.isRight(decoded)).toBe(true);
        if (E.isRight(decoded)) expect(JSON.stringify(decoded.right)).toBe(text);
      }),
    );
  });

  it('answers not_an_object for any JSON value that is not an object (null, primitives, arrays)', () => {
    fc.assert(fc.property(nonObjectJson, (value) => kindOf(JSON.stringify(value)) === 'not_an_object'));
  });

  it('answers invalid_json for any text that is not JSON', () => {
    fc.assert(fc.property(notJson, (text) => kindOf(text) === 'invalid_json'));
  });

  it.each([
    ['', 'invalid_json'],
    ['{', 'invalid_json'],
    ["{'single': 'quotes'}", 'invalid_json'],
    ['{"a":1}{"b":2}', 'invalid_json'],
    ['null', 'not_an_object'],
    ['[]', 'not_an_object'],
    ['[{"type":"x"}]', 'not_an_object'],
    ['"{}"', 'not_an_object'],
    ['42', 'not_an_object'],
    ['  {"type":"ping"}\n', 'ok'],
    ['{}', 'ok'],
  ] as const)('%j → %s', (text, kind) => {
    expect(kindOf(text)).toBe(kind);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(() => decodeTextFrame(text)).not.toThrow();
      }),
    );
  });

  it('describes each failure in words that are safe to send to the peer', () => {
    expect(frameError('invalid_json')).toEqual({ kind: 'invalid_json', message: 'Invalid JSON message' });
    expect(frameError('not_an_object')).toEqual({ kind: 'not_an_object', message: 'Message must be a JSON object' });
    expect(frameError('binary_frame').message).toMatch(/binary/i);
    const decoded = decodeTextFrame('{oops');
    expect(decoded).toEqual(E.left(frameError('invalid_json')));
  });

  describe('keys that could become a prototype', () => {
    /** A key spelled with JSON escapes: `__proto__` as `\u005f_proto__` and the like. */
    const spellings = fc.constantFrom('__proto__', '\\u005f_proto__', '__pr\\u006fto__', '\\u005F\\u005Fproto\\u005F\\u005F');
    /** JSON text of an object with `key` planted at `depth` levels down, inside objects and arrays. */
    const planted = fc
      .record({
        key: spellings,
        depth: fc.nat({ max: 8 }),
        inArray: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        payload: fc.json(),
        siblings: jsonObject,
      })
      .map(({ key, depth, inArray, payload, siblings }) => {
        let text = `{"${key}":${payload}}`;
        for (let level = depth - 1; level >= 0; level -= 1) text = inArray[level] === true ? `[${text}]` : `{"x":${text}}`;
        const rest = JSON.stringify(siblings).slice(1, -1);
        return `{${rest}${rest === '' ? '' : ','}"planted":${text}}`;
      });

    it('refuses __proto__ at any depth, however it is spelled, as forbidden_key', () => {
      fc.assert(
        fc.property(planted, (text) => {
          expect(kindOf(text)).toBe('forbidden_key');
        }),
      );
    });

    it('hands back the message without the key, for the error reply only, and leaves Object.prototype clean', () => {
      fc.assert(
        fc.property(planted, (text) => {
          const decoded = decodeTextFrame(text);
          if (E.isRight(decoded)) throw new Error('planted key accepted');
          expect(decoded.left.request === undefined || !hasForbiddenKey(decoded.left.request)).toBe(true);
          expect(Object.keys(Object.prototype)).toEqual([]);
          expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
        }),
      );
    });

    it.each([
      ['{"a":{"__proto__":{"isAdmin":true}}}', 'forbidden_key'],
      ['{"constructor":{"prototype":{"isAdmin":true}}}', 'forbidden_key'],
      ['{"constructor":"a plain string is harmless"}', 'ok'],
      ['{"constructor":{"name":"no prototype key"}}', 'ok'],
      ['{"text":"a string that mentions \\"__proto__\\": is not a key"}', 'ok'],
      ['{"proto":1,"__proto":2,"proto__":3}', 'ok'],
      ['[{"__proto__":false}]', 'not_an_object'],
      ['\uFEFF{}', 'invalid_json'],
    ] as const)('%s → %s', (text, kind) => {
      expect(kindOf(text)).toBe(kind);
    });

    it('keeps the JSON-RPC id on the copy it hands back, so the reply can name the request', () => {
      const decoded = decodeTextFrame('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"__proto__":{"isAdmin":true}}}');
      expect(decoded).toEqual(E.left({ ...frameError('forbidden_key'), request: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: {} } }));
    });
  });
});
