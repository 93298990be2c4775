import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { JsonObjectCodec, type JsonObject } from './json-object.js';

/**
 * JSON-RPC 2.0 envelopes as MCP uses them: one object per message, no batches, ids that are strings
 * or integers (never `null` in what we send; a parse error's reply omits `id`), `params` an object
 * when present.
 *
 * @see https://www.jsonrpc.org/specification
 */

export const JSONRPC_VERSION = '2.0';

/** Standard JSON-RPC codes and the MCP ones this project uses. */
export const JsonRpcErrorCode = {
  /** The frame is not valid JSON. Sent without an `id`. */
  ParseError: -32700,
  /** Valid JSON, but not a JSON-RPC request, notification or response. */
  InvalidRequest: -32600,
  /** No such method, or not available in the era of this request. */
  MethodNotFound: -32601,
  /** The params do not match the method's codec (also: unknown tool, unknown prompt, bad cursor). */
  InvalidParams: -32602,
  /** The server failed while handling a valid request. */
  InternalError: -32603,
  /** Revisions up to 2025-11-25: no resource with that URI. */
  ResourceNotFound: -32002,
  /** Revision 2026-07-28: the request needs a client capability it did not declare (`data.requiredCapabilities`). */
  MissingRequiredClientCapability: -32021,
  /** Revision 2026-07-28: the per-request protocol version is not supported. */
  UnsupportedProtocolVersion: -32022,
  /** Implementation-defined: the server refused the request for now (rate limit, overload); retry later. */
  ServerBusy: -32010,
  /** Client side, never on the wire (as in the official SDK): the connection closed before the reply arrived. */
  ConnectionClosed: -32000,
  /** Client side, never on the wire (as in the official SDK): no reply within the request timeout. */
  RequestTimeout: -32001,
} as const;

/** A request id as MCP allows it: a string or an integer. */
export type RequestId = string | number;

/** A string or an integer; `null`, fractions and everything else are refused. */
export const RequestIdCodec = new t.Type<RequestId, RequestId, unknown>(
  'RequestId',
  (u): u is RequestId => typeof u === 'string' || Number.isSafeInteger(u),
  (u, c) => (typeof u === 'string' || Number.isSafeInteger(u) ? t.success(u as RequestId) : t.failure(u, c, 'an id must be a string or an integer')),
  t.identity,
);

/** `params` of a request or notification: a JSON object (MCP never uses positional params). */
export const ParamsCodec = JsonObjectCodec;

export const JsonRpcRequestCodec = t.intersection([
  t.type({ jsonrpc: t.literal(JSONRPC_VERSION), id: RequestIdCodec, method: t.string }),
  t.partial({ params: ParamsCodec }),
]);
export type JsonRpcRequest = t.TypeOf<typeof JsonRpcRequestCodec>;

export const JsonRpcNotificationCodec = t.intersection([
  t.type({ jsonrpc: t.literal(JSONRPC_VERSION), method: t.string }),
  t.partial({ params: ParamsCodec }),
]);
/** A JSON-RPC notification: a method and optional params, no id, so no reply. */
export type JsonRpcNotification = t.TypeOf<typeof JsonRpcNotificationCodec>;

export const JsonRpcResultResponseCodec = t.type({
  jsonrpc: t.literal(JSONRPC_VERSION),
  id: RequestIdCodec,
  result: JsonObjectCodec,
});
export type JsonRpcResultResponse = t.TypeOf<typeof JsonRpcResultResponseCodec>;

export const JsonRpcErrorObjectCodec = t.intersection([
  t.type({ code: t.Int, message: t.string }),
  t.partial({ data: t.unknown }),
]);
export type JsonRpcErrorObject = {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
};

export const JsonRpcErrorResponseCodec = t.intersection([
  t.type({ jsonrpc: t.literal(JSONRPC_VERSION), error: JsonRpcErrorObjectCodec }),
  t.partial({ id: RequestIdCodec }),
]);
// A type alias, not an interface: it must be assignable to `JsonObject` to be sent.
export type JsonRpcErrorResponse = {
  readonly jsonrpc: typeof JSONRPC_VERSION;
  readonly id?: RequestId;
  readonly error: JsonRpcErrorObject;
};

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;

/** What an incoming object turned out to be. */
export type JsonRpcMessage =
  | { readonly kind: 'request'; readonly message: JsonRpcRequest }
  | { readonly kind: 'notification'; readonly message: JsonRpcNotification }
  | { readonly kind: 'response'; readonly message: JsonRpcResponse };

/** Why an object is not a JSON-RPC message, with the id to answer to when one could be read. */
export interface InvalidEnvelope {
  readonly reason: string;
  readonly id?: RequestId;
}

/**
 * Sorts one decoded frame into request, notification or response, or says in plain words why it is
 * none of them. Extra top-level keys are tolerated on input; what we send never has any.
 */
export function classifyMessage(input: JsonObject): E.Either<InvalidEnvelope, JsonRpcMessage> {
  const rawId = input['id'];
  const hasId = Object.hasOwn(input, 'id');
  const id = RequestIdCodec.is(rawId) ? rawId : undefined;
  const invalid = (reason: string): E.Either<InvalidEnvelope, JsonRpcMessage> =>
    E.left(id === undefined ? { reason } : { reason, id });

  if (input['jsonrpc'] !== JSONRPC_VERSION) return invalid('"jsonrpc" must be "2.0"');
  if (hasId && id === undefined) {
    return E.left({ reason: rawId === null ? '"id" must not be null' : '"id" must be a string or an integer' });
  }
  if (Object.hasOwn(input, 'method')) {
    if (typeof input['method'] !== 'string') return invalid('"method" must be a string');
    if (Object.hasOwn(input, 'params') && !JsonObjectCodec.is(input['params'])) return invalid('"params" must be an object when present');
    if (Object.hasOwn(input, 'result') || Object.hasOwn(input, 'error')) return invalid('a request cannot carry "result" or "error"');
    return hasId
      ? E.right({ kind: 'request', message: input as JsonRpcRequest })
      : E.right({ kind: 'notification', message: input as JsonRpcNotification });
  }
  if (Object.hasOwn(input, 'result')) {
    if (id === undefined) return invalid('a result response needs an "id"');
    if (Object.hasOwn(input, 'error')) return invalid('a response carries either "result" or "error", not both');
    if (!JsonObjectCodec.is(input['result'])) return invalid('"result" must be an object');
    return E.right({ kind: 'response', message: input as JsonRpcResultResponse });
  }
  if (Object.hasOwn(input, 'error')) {
    return JsonRpcErrorResponseCodec.is(input)
      ? E.right({ kind: 'response', message: input })
      : invalid('"error" must be an object with an integer "code" and a string "message"');
  }
  return invalid('not a request, notification or response: no "method", "result" or "error"');
}

export function isErrorResponse(response: JsonRpcResponse): response is JsonRpcErrorResponse {
  return Object.hasOwn(response, 'error');
}

/** A request, with `params` left out when there are none. */
export function jsonRpcRequest(id: RequestId, method: string, params?: JsonObject): JsonRpcRequest {
  return params === undefined ? { jsonrpc: JSONRPC_VERSION, id, method } : { jsonrpc: JSONRPC_VERSION, id, method, params };
}

/** A notification, with `params` left out when there are none. */
export function jsonRpcNotification(method: string, params?: JsonObject): JsonRpcNotification {
  return params === undefined ? { jsonrpc: JSONRPC_VERSION, method } : { jsonrpc: JSONRPC_VERSION, method, params };
}

export function jsonRpcResult(id: RequestId, result: JsonObject): JsonRpcResultResponse {
  return { jsonrpc: JSONRPC_VERSION, id, result };
}

/** An error response; `id` omitted (never `null`) when the request's id could not be read. */
export function jsonRpcError(id: RequestId | undefined, code: number, message: string, data?: unknown): JsonRpcErrorResponse {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return id === undefined ? { jsonrpc: JSONRPC_VERSION, error } : { jsonrpc: JSONRPC_VERSION, id, error };
}
