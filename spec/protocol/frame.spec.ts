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

const kindOf = (text: string): FrameErrorKind | 'ok' => {
  const decoded = decodeTextFrame(text);
  return E.isLeft(decoded) ? decoded.left.kind : 'ok';
};

describe('decodeTextFrame', () => {
  it('accepts any JSON object and gives it back unchanged (round trip)', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        const text = JSON.stringify(object);
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
});
