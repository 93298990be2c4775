/**
 * The io-ts → JSON Schema converter: examples of each mapping, and two properties checked with a
 * real JSON Schema 2020-12 validator over generated codecs: every value the codec accepts, as it
 * decodes it (`t.exact` strips the keys it does not declare), is valid for the schema, and every
 * JSON value the schema accepts decodes with the codec.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { described, toJsonSchema } from '../../../src/mcp/index.js';
import { toObjectSchema } from '../../../src/mcp/registries/json-schema.js';

describe('toJsonSchema', () => {
  it('maps primitives, integers, literals and keyof', () => {
    expect(toJsonSchema(t.string)).toEqual({ type: 'string' });
    expect(toJsonSchema(t.number)).toEqual({ type: 'number' });
    expect(toJsonSchema(t.boolean)).toEqual({ type: 'boolean' });
    expect(toJsonSchema(t.null)).toEqual({ type: 'null' });
    expect(toJsonSchema(t.Int)).toEqual({ type: 'integer' });
    expect(toJsonSchema(t.literal('on'))).toEqual({ type: 'string', const: 'on' });
    expect(toJsonSchema(t.literal(3))).toEqual({ type: 'number', const: 3 });
    expect(toJsonSchema(t.keyof({ a: null, b: null }))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(toJsonSchema(t.unknown)).toEqual({});
  });

  it('maps objects: required from t.type, optional from t.partial and `T | undefined`', () => {
    const codec = t.intersection([t.type({ a: t.string, b: t.union([t.number, t.undefined]) }), t.partial({ c: t.boolean })]);
    expect(toJsonSchema(codec)).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean' } },
      required: ['a'],
    });
  });

  it('maps unions (enum for literals, anyOf otherwise), arrays, tuples and records', () => {
    expect(toJsonSchema(t.union([t.literal('x'), t.literal('y')]))).toEqual({ type: 'string', enum: ['x', 'y'] });
    expect(toJsonSchema(t.union([t.literal('x'), t.literal(1)]))).toEqual({ enum: ['x', 1] });
    expect(toJsonSchema(t.union([t.string, t.null]))).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(toJsonSchema(t.array(t.number))).toEqual({ type: 'array', items: { type: 'number' } });
    expect(toJsonSchema(t.readonlyArray(t.string))).toEqual({ type: 'array', items: { type: 'string' } });
    expect(toJsonSchema(t.tuple([t.string, t.number]))).toEqual({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 2, maxItems: 2 });
    expect(toJsonSchema(t.record(t.string, t.number))).toEqual({ type: 'object', additionalProperties: { type: 'number' } });
    expect(toJsonSchema(t.record(t.keyof({ a: null, b: null }), t.number))).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });

  it('closes exact and strict objects with additionalProperties: false', () => {
    expect(toJsonSchema(t.exact(t.type({ a: t.string })))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false });
    expect(toJsonSchema(t.strict({ a: t.string }))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false });
    expect(toJsonSchema(t.exact(t.partial({ a: t.string })))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
    expect(toJsonSchema(t.type({ inner: t.strict({ n: t.number }) }))).toEqual({
      type: 'object',
      properties: { inner: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false } },
      required: ['inner'],
    });
    // An exact intersection is closed as a whole; an intersection is closed only when every member is.
    expect(toJsonSchema(t.exact(t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })])))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(toJsonSchema(t.intersection([t.strict({ a: t.string }), t.exact(t.partial({ b: t.number }))]))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(toJsonSchema(t.intersection([t.strict({ a: t.string }), t.partial({ b: t.number })]))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' } },
      required: ['a'],
    });
    // In allOf a closed member would refuse the other members' keys: each member is opened.
    expect(toJsonSchema(t.intersection([t.strict({ a: t.string }), t.record(t.string, t.string)]))).toEqual({
      allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'object', additionalProperties: { type: 'string' } }],
    });
    expect(toObjectSchema(t.strict({ a: t.string }), 'input')).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false });
  });

  it('passes readonly, refinements and brands through to their base', () => {
    expect(toJsonSchema(t.readonly(t.type({ a: t.string })))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
    interface PositiveBrand {
      readonly Positive: unique symbol;
    }
    const Positive = t.brand(t.number, (n): n is t.Branded<number, PositiveBrand> => n > 0, 'Positive');
    expect(toJsonSchema(Positive)).toEqual({ type: 'number', $comment: 'refinement "Positive": checked by the server, not described here' });
  });

  it('merges intersections of objects, and falls back to allOf otherwise', () => {
    const merged = toJsonSchema(t.intersection([t.type({ a: t.string }), t.type({ a: t.literal('x'), b: t.number })]));
    expect(merged).toEqual({
      type: 'object',
      properties: { a: { allOf: [{ type: 'string' }, { type: 'string', const: 'x' }] }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(toJsonSchema(t.intersection([t.type({ a: t.string }), t.record(t.string, t.string)]))).toEqual({
      allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'object', additionalProperties: { type: 'string' } }],
    });
  });

  it('maps recursion to $defs and $ref', () => {
    interface Tree {
      readonly label: string;
      readonly children: readonly Tree[];
    }
    const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ label: t.string, children: t.readonlyArray(Tree) }));
    expect(toJsonSchema(t.type({ root: Tree }))).toEqual({
      type: 'object',
      properties: { root: { $ref: '#/$defs/Tree' } },
      required: ['root'],
      $defs: { Tree: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Tree' } } }, required: ['label', 'children'] } },
    });
  });

  it('adds descriptions from described() without touching the shared codec', () => {
    const City = described(t.string, 'A city name');
    expect(toJsonSchema(t.type({ city: City, country: t.string }))).toEqual({
      type: 'object',
      properties: { city: { type: 'string', description: 'A city name' }, country: { type: 'string' } },
      required: ['city', 'country'],
    });
    expect(toJsonSchema(t.string)).toEqual({ type: 'string' });
    expect(City.is('Paris')).toBe(true);
    expect(E.isRight(City.decode('Paris'))).toBe(true);
    expect(toJsonSchema(t.partial({ note: described(t.union([t.string, t.undefined]), 'optional note') }))).toEqual({
      type: 'object',
      properties: { note: { type: 'string', description: 'optional note' } },
    });
  });

  it('refuses what JSON cannot carry, and notes custom codecs', () => {
    expect(() => toJsonSchema(t.Function)).toThrow('cannot be described by JSON Schema');
    expect(() => toJsonSchema(t.bigint)).toThrow('bigint');
    const custom = new t.Type<string, string, unknown>('Email', (u): u is string => typeof u === 'string', (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)), t.identity);
    expect(toJsonSchema(custom)).toEqual({ $comment: 'custom codec "Email": not described here, checked by the server' });
  });
});

describe('toObjectSchema', () => {
  it('always puts type: "object" at the root', () => {
    expect(toObjectSchema(t.union([t.type({ kind: t.literal('a') }), t.type({ kind: t.literal('b') })]), 'input')).toEqual({
      type: 'object',
      anyOf: [
        { type: 'object', properties: { kind: { type: 'string', const: 'a' } }, required: ['kind'] },
        { type: 'object', properties: { kind: { type: 'string', const: 'b' } }, required: ['kind'] },
      ],
    });
    expect(toObjectSchema(t.unknown, 'input')).toEqual({ type: 'object' });
    expect(toObjectSchema(t.UnknownRecord, 'input')).toEqual({ type: 'object' });
    expect(() => toObjectSchema(t.array(t.string), 'The input of x')).toThrow('The input of x must be an object codec');
  });
});

// ---- Properties --------------------------------------------------------------------------

/** A generated codec together with an arbitrary of values it accepts. */
interface Sample {
  readonly codec: t.Any;
  readonly values: fc.Arbitrary<unknown>;
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'x-y', 'with space');
const jsonNumber = fc.double({ noNaN: true, noDefaultInfinity: true });

const leaf: fc.Arbitrary<Sample> = fc.oneof(
  fc.constant<Sample>({ codec: t.string, values: fc.string() }),
  fc.constant<Sample>({ codec: t.number, values: jsonNumber }),
  fc.constant<Sample>({ codec: t.boolean, values: fc.boolean() }),
  fc.constant<Sample>({ codec: t.null, values: fc.constant(null) }),
  fc.constant<Sample>({ codec: t.Int, values: fc.integer() }),
  fc.constant<Sample>({ codec: t.unknown, values: fc.jsonValue() }),
  fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()).map<Sample>((value) => ({ codec: t.literal(value), values: fc.constant(value) })),
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }).map<Sample>((keys) => ({
    codec: t.keyof(Object.fromEntries(keys.map((k) => [k, null]))),
    values: fc.constantFrom(...keys),
  })),
);

const samples = fc.letrec<{ sample: Sample }>((tie) => ({
  sample: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('sample').map<Sample>((item) => ({ codec: t.array(item.codec), values: fc.array(item.values, { maxLength: 3 }) })),
    fc.dictionary(key, tie('sample'), { maxKeys: 3 }).map<Sample>((props) => ({
      codec: t.type(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.codec]))),
      values: fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.values]))),
    })),
    fc.dictionary(key, tie('sample'), { maxKeys: 3 }).map<Sample>((props) => ({
      codec: t.partial(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.codec]))),
      values: fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.values])), { requiredKeys: [] }),
    })),
    fc.tuple(tie('sample'), tie('sample')).map<Sample>(([a, b]) => ({ codec: t.union([a.codec, b.codec]), values: fc.oneof(a.values, b.values) })),
    tie('sample').map<Sample>((item) => ({ codec: t.record(t.string, item.codec), values: fc.dictionary(fc.string({ maxLength: 4 }), item.values, { maxKeys: 3 }) })),
    fc.tuple(tie('sample'), tie('sample')).map<Sample>(([a, b]) => ({ codec: t.tuple([a.codec, b.codec]), values: fc.tuple(a.values, b.values) })),
    tie('sample').map<Sample>((item) => ({ codec: t.type({ opt: t.union([item.codec, t.undefined]) }), values: fc.record({ opt: item.values }, { requiredKeys: [] }) })),
    fc.tuple(fc.dictionary(key, tie('sample'), { maxKeys: 2 }), fc.dictionary(fc.constantFrom('p', 'q'), tie('sample'), { maxKeys: 2 })).map<Sample>(([left, right]) => ({
      codec: t.intersection([
        t.type(Object.fromEntries(Object.entries(left).map(([k, v]) => [k, v.codec]))),
        t.partial(Object.fromEntries(Object.entries(right).map(([k, v]) => [k, v.codec]))),
      ]),
      values: fc
        .tuple(
          fc.record(Object.fromEntries(Object.entries(left).map(([k, v]) => [k, v.values]))),
          fc.record(Object.fromEntries(Object.entries(right).map(([k, v]) => [k, v.values])), { requiredKeys: [] }),
        )
        .map(([a, b]) => ({ ...b, ...a })),
    })),
    tie('sample').map<Sample>((item) => ({ codec: t.readonly(item.codec), values: item.values })),
    // Exact objects, fed values with keys they do not declare: the codec strips them.
    fc.dictionary(key, tie('sample'), { maxKeys: 3 }).map<Sample>((props) => ({
      codec: t.strict(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.codec]))),
      values: fc
        .tuple(fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.values]))), fc.dictionary(fc.constantFrom('extra', 'more'), fc.jsonValue(), { maxKeys: 2 }))
        .map(([declared, extra]) => ({ ...extra, ...declared })),
    })),
    fc.dictionary(key, tie('sample'), { maxKeys: 3 }).map<Sample>((props) => ({
      codec: t.exact(t.partial(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.codec])))),
      values: fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.values])), { requiredKeys: [] }),
    })),
  ),
})).sample;

const ajv = new Ajv2020({ strict: false, allErrors: false });

describe('toJsonSchema properties (JSON Schema 2020-12 validator)', () => {
  it('every value a codec accepts, as it decodes it, is valid for its schema', () => {
    fc.assert(
      fc.property(
        samples.chain((sample) => fc.tuple(fc.constant(sample), sample.values)),
        (pair: [Sample, unknown]) => {
          const [sample, value] = pair;
          const decoded = sample.codec.decode(value);
          fc.pre(E.isRight(decoded));
          // What the server reads: `t.exact` has stripped the keys it does not declare.
          const read: unknown = sample.codec.encode(decoded.right);
          const validate = ajv.compile(toJsonSchema(sample.codec));
          // Not `validate(read)` inline: ajv's type guard would narrow `read` to `any`.
          const valid: boolean = validate(structuredClone(read));
          expect({ schema: toJsonSchema(sample.codec), valid, errors: validate.errors ?? null }).toMatchObject({ valid: true });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every JSON value the schema accepts decodes with the codec (the schema is never looser)', () => {
    fc.assert(
      // Values from another generated codec are near misses: same shapes, other types and keys.
      fc.property(samples, samples.chain((other) => fc.oneof(other.values, fc.jsonValue())), (sample, value) => {
        const validate = ajv.compile(toJsonSchema(sample.codec));
        if (validate(value)) expect({ codec: sample.codec.name, value, decodes: E.isRight(sample.codec.decode(value)) }).toMatchObject({ decodes: true });
      }),
      { numRuns: 300 },
    );
  });
});
