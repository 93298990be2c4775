import * as t from 'io-ts';

/** Any JSON value, as parsed by `JSON.parse`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the only kind of message the transport carries. */
export type JsonObject = Record<string, unknown>;

/**
 * A JSON object that is not an array: the unit of every frame on the wire.
 * `t.UnknownRecord` alone also accepts arrays' prototype-less cousins, so be explicit.
 */
export const JsonObjectCodec = new t.Type<JsonObject, JsonObject, unknown>(
  'JsonObject',
  (u): u is JsonObject => typeof u === 'object' && u !== null && !Array.isArray(u),
  (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? t.success(u as JsonObject) : t.failure(u, c)),
  t.identity,
);
