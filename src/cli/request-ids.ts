import { JsonObjectCodec, LifecycleMethod, RequestIdCodec, type JsonObject, type RequestId } from '../protocol/index.js';

/** The id of a JSON-RPC request (a method and an id); `undefined` for anything else. */
export function requestIdOf(message: JsonObject): RequestId | undefined {
  const id = message['id'];
  return typeof message['method'] === 'string' && RequestIdCodec.is(id) ? id : undefined;
}

/** The id a JSON-RPC response answers (an id and no method); `undefined` for anything else. */
export function responseIdOf(message: JsonObject): RequestId | undefined {
  const id = message['id'];
  return !Object.hasOwn(message, 'method') && RequestIdCodec.is(id) ? id : undefined;
}

/** The request a `notifications/cancelled` gives up on; `undefined` for any other message. */
export function cancelledIdOf(message: JsonObject): RequestId | undefined {
  if (message['method'] !== LifecycleMethod.cancelled) return undefined;
  const params = message['params'];
  const id = JsonObjectCodec.is(params) ? params['requestId'] : undefined;
  return RequestIdCodec.is(id) ? id : undefined;
}

/** A map key for a request id that keeps `"1"` and `1` apart: the transport's own key for a request (`relatedTo`, `settle`). */
export { requestKey } from '../mcp/request-correlator.js';
