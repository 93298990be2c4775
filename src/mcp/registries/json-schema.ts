import type * as t from 'io-ts';
import type { JsonObject } from '../../protocol/index.js';

/**
 * JSON Schema (2020-12) derived from an io-ts codec by walking its runtime `_tag`s, so a tool's
 * one codec both validates its arguments and documents them in `tools/list`.
 *
 * What maps: string, number, boolean, null, `t.Int` (integer), literals (`const`), `t.keyof` and
 * unions of literals (`enum`), other unions (`anyOf`), arrays, tuples (`prefixItems`), records
 * (`additionalProperties`, or `properties` for a `t.keyof` domain), `t.type` (required) and
 * `t.partial` / `T | undefined` fields (optional), intersections (object members merged, otherwise
 * `allOf`), `t.recursion` (`$defs` + `$ref`), `t.unknown` (`{}`), `t.exact`/`t.strict` (their
 * base, closed with `additionalProperties: false`). Passed through to their base: `t.readonly`,
 * refinements and brands (with a `$comment`: the server still checks them, clients are not told).
 * Not representable: functions, bigint (throw), custom `new t.Type` codecs (`{}` with a `$comment`).
 *
 * @see docs/mcp.md
 */
export type JsonSchema = JsonObject;

/** Codecs and descriptions attached with {@link described}. */
const descriptions = new WeakMap<object, string>();

/**
 * The same codec with a `description` for its JSON Schema (a new instance: `t.string` itself stays bare).
 *
 * @example t.type({ city: described(t.string, 'City name, e.g. "Paris"') })
 */
export function described<C extends t.Any>(codec: C, description: string): C {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(codec) as object) as C, codec);
  descriptions.set(copy, description);
  return copy;
}

interface Walk {
  readonly defs: Map<string, JsonSchema>;
  readonly visiting: Set<string>;
}

/** The JSON Schema of any codec. Throws `TypeError` for what JSON cannot carry (functions, bigint). */
export function toJsonSchema(codec: t.Decoder<unknown, unknown>): JsonSchema {
  const walk: Walk = { defs: new Map(), visiting: new Set() };
  const schema = schemaOf(codec, walk);
  return walk.defs.size === 0 ? schema : { ...schema, $defs: Object.fromEntries(walk.defs) };
}

/**
 * The schema of a tool's input or output: always `type: "object"` at the root, as MCP requires.
 * Throws `TypeError` naming the codec when it cannot describe an object (e.g. `t.string`).
 */
export function toObjectSchema(codec: t.Decoder<unknown, unknown>, what: string): JsonSchema {
  const schema = toJsonSchema(codec);
  if (schema['type'] === 'object') return schema;
  if (describesObjects(schema, schema)) return { type: 'object', ...schema };
  throw new TypeError(`${what} must be an object codec (t.type, t.partial, t.intersection of them, …); got ${codec.name}`);
}

function describesObjects(schema: JsonSchema, root: JsonSchema): boolean {
  if (schema['type'] === 'object') return true;
  if (Object.keys(schema).every((key) => key === 'description' || key === '$comment')) return true; // t.unknown
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const defs = root['$defs'] as Record<string, JsonSchema> | undefined;
    const target = defs?.[ref.replace('#/$defs/', '')];
    return target !== undefined && target['type'] === 'object';
  }
  const members = (schema['anyOf'] ?? schema['allOf']) as JsonSchema[] | undefined;
  return members !== undefined && members.length > 0 && members.every((member) => describesObjects(member, root));
}

interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly props?: Record<string, t.Any>;
  readonly type?: t.Any;
  readonly types?: readonly t.Any[];
  readonly domain?: t.Any;
  readonly codomain?: t.Any;
  readonly value?: unknown;
  readonly keys?: Record<string, unknown>;
}

function schemaOf(codec: t.Decoder<unknown, unknown>, walk: Walk): JsonSchema {
  const schema = bareSchemaOf(codec, walk);
  const description = descriptions.get(codec);
  return description === undefined ? schema : { ...schema, description };
}

function bareSchemaOf(codec: Tagged, walk: Walk): JsonSchema {
  switch (codec._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UnknownType':
    case 'AnyType':
      return {};
    case 'UndefinedType':
    case 'VoidType':
    case 'NeverType':
      // Only meaningful as "may be absent" inside an object, where fieldsOf handles it.
      return { not: {} };
    case 'AnyDictionaryType':
    case 'ObjectType':
      return { type: 'object' };
    case 'AnyArrayType':
      return { type: 'array' };
    case 'LiteralType':
      return literalSchema(codec.value);
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(codec.keys ?? {}) };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: schemaOf(required(codec.type), walk) };
    case 'TupleType': {
      const items = (codec.types ?? []).map((member) => schemaOf(member, walk));
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    case 'InterfaceType':
      return objectSchema(codec.props ?? {}, true, walk);
    case 'PartialType':
      return objectSchema(codec.props ?? {}, false, walk);
    case 'ExactType':
    case 'StrictType':
      return closed(schemaOf(required(codec.type), walk));
    case 'ReadonlyType':
      return schemaOf(required(codec.type), walk);
    case 'DictionaryType':
      return recordSchema(required(codec.domain), required(codec.codomain), walk);
    case 'UnionType':
      return unionSchema(codec.types ?? [], walk);
    case 'IntersectionType':
      return intersectionSchema((codec.types ?? []).map((member) => schemaOf(member, walk)));
    case 'RefinementType':
      if (codec.name === 'Int') return { type: 'integer' };
      return { ...schemaOf(required(codec.type), walk), $comment: `refinement "${codec.name}": checked by the server, not described here` };
    case 'RecursiveType':
      return recursiveSchema(codec, walk);
    case 'FunctionType':
    case 'BigIntType':
      throw new TypeError(`${codec.name} cannot be described by JSON Schema: JSON carries no ${codec._tag === 'FunctionType' ? 'functions' : 'bigint'}`);
    default:
      if (codec.name === 'JsonObject') return { type: 'object' };
      return { $comment: `custom codec "${codec.name}": not described here, checked by the server` };
  }
}

function required<A>(value: A | undefined): A {
  if (value === undefined) throw new TypeError('malformed io-ts codec: a combinator without its member');
  return value;
}

function literalSchema(value: unknown): JsonSchema {
  const type = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
  return { type, const: value };
}

function objectSchema(props: Record<string, t.Any>, allRequired: boolean, walk: Walk): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const requiredKeys: string[] = [];
  for (const [key, codec] of Object.entries(props)) {
    const optional = !allRequired || codec.is(undefined);
    const schema = schemaOf(optional ? withoutUndefined(codec) : codec, walk);
    const description = descriptions.get(codec);
    properties[key] = description === undefined || 'description' in schema ? schema : { ...schema, description };
    if (!optional) requiredKeys.push(key);
  }
  return requiredKeys.length > 0 ? { type: 'object', properties, required: requiredKeys } : { type: 'object', properties };
}

/** `T | undefined` inside an object means "optional T": drop the undefined member. */
function withoutUndefined(codec: t.Any): t.Any {
  const tagged = codec as unknown as Tagged;
  if (tagged._tag !== 'UnionType' || !tagged.types) return codec;
  const kept = tagged.types.filter((member) => !isUndefinedCodec(member));
  if (kept.length === tagged.types.length) return codec;
  if (kept.length === 1 && kept[0]) return kept[0];
  // Rebuild a union-shaped stand-in: only its members matter to the walk.
  return { ...tagged, types: kept } as unknown as t.Any;
}

function isUndefinedCodec(codec: t.Any): boolean {
  const tag = (codec as unknown as Tagged)._tag;
  return tag === 'UndefinedType' || tag === 'VoidType';
}

function unionSchema(members: readonly t.Any[], walk: Walk): JsonSchema {
  const kept = members.filter((member) => !isUndefinedCodec(member));
  const schemas = kept.map((member) => schemaOf(member, walk));
  const [only] = schemas;
  if (schemas.length === 1 && only) return only;
  if (schemas.length > 0 && schemas.every((schema) => 'const' in schema && Object.keys(schema).length === 2)) {
    const values = schemas.map((schema) => schema['const']);
    const types = [...new Set(schemas.map((schema) => schema['type'] as string))];
    return types.length === 1 ? { type: types[0], enum: values } : { enum: values };
  }
  return { anyOf: schemas };
}

/**
 * `t.exact`/`t.strict` keep only the keys they declare, so their schema says no other key is
 * expected. Only a plain object schema can say so (`additionalProperties` does not see into
 * `allOf`/`anyOf` members): anything else stays open, as before.
 */
function closed(schema: JsonSchema): JsonSchema {
  return isPlainObjectSchema(schema) ? { ...schema, additionalProperties: false } : schema;
}

function isPlainObjectSchema(schema: JsonSchema): boolean {
  return (
    schema['type'] === 'object' &&
    Object.entries(schema).every(([key, value]) => ['type', 'properties', 'required', 'description'].includes(key) || (key === 'additionalProperties' && value === false))
  );
}

/**
 * An intersection of plain objects merges into one; it is closed only when every member is (an
 * open member accepts keys the others do not name). Otherwise `allOf`, with each member opened:
 * a closed member would refuse the keys the other members declare, and io-ts strips, it does not
 * refuse.
 */
function intersectionSchema(schemas: readonly JsonSchema[]): JsonSchema {
  if (!schemas.every(isPlainObjectSchema)) return { allOf: schemas.map(opened) };
  const properties: Record<string, JsonSchema> = {};
  const requiredKeys = new Set<string>();
  for (const schema of schemas) {
    for (const [key, property] of Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>)) {
      const existing = properties[key];
      properties[key] = existing === undefined ? property : { allOf: [existing, property] };
    }
    for (const key of (schema['required'] ?? []) as string[]) requiredKeys.add(key);
  }
  const merged: JsonSchema = requiredKeys.size > 0 ? { type: 'object', properties, required: [...requiredKeys] } : { type: 'object', properties };
  return schemas.every((schema) => schema['additionalProperties'] === false) ? { ...merged, additionalProperties: false } : merged;
}

function opened(schema: JsonSchema): JsonSchema {
  if (schema['additionalProperties'] !== false) return schema;
  const { additionalProperties: _closed, ...open } = schema;
  return open;
}

function recordSchema(domain: t.Any, codomain: t.Any, walk: Walk): JsonSchema {
  const keys = literalKeys(domain);
  if (keys === undefined) return { type: 'object', additionalProperties: schemaOf(codomain, walk) };
  const value = schemaOf(codomain, walk);
  return { type: 'object', properties: Object.fromEntries(keys.map((key) => [key, value])), required: keys };
}

/** The finite key set of a `t.keyof` or a union of string literals; `undefined` for open domains. */
function literalKeys(domain: t.Any): string[] | undefined {
  const tagged = domain as unknown as Tagged;
  if (tagged._tag === 'KeyofType') return Object.keys(tagged.keys ?? {});
  if (tagged._tag === 'LiteralType' && typeof tagged.value === 'string') return [tagged.value];
  if (tagged._tag === 'UnionType' && tagged.types) {
    const keys = tagged.types.map((member) => literalKeys(member));
    return keys.every((key): key is string[] => key !== undefined) ? keys.flat() : undefined;
  }
  return undefined;
}

function recursiveSchema(codec: Tagged, walk: Walk): JsonSchema {
  const name = codec.name;
  const ref = { $ref: `#/$defs/${name}` };
  if (walk.visiting.has(name) || walk.defs.has(name)) return ref;
  walk.visiting.add(name);
  walk.defs.set(name, {}); // placeholder keeps the key order stable
  walk.defs.set(name, schemaOf(required(codec.type), walk));
  walk.visiting.delete(name);
  return ref;
}
