import { JsonObjectCodec, LifecycleMethod, RequestIdCodec, type JsonObject, type RequestId } from '../../protocol/index.js';
import { requestKey } from '../../mcp/request-correlator.js';
import type { Related } from '../../transport/index.js';
import { cancelledIdOf, requestIdOf, responseIdOf } from '../request-ids.js';

/**
 * Which request of the client each message of its child belongs to, for an edge that answers every
 * request on a response of its own (Streamable HTTP): a response is its request's last word
 * (`{ request, final: true }`); a progress notification belongs to the request whose
 * `_meta.progressToken` it carries, while that request is open; anything else belongs to none
 * (over HTTP it goes on the session's GET stream). Keys are the transport's `requestKey` of the
 * request (`mcpTransportOptions.requestKey`). WebSocket ignores all of it.
 */
export class RequestStreams {
  /** The open requests that asked for progress: their token's key → the request's key. */
  private readonly byToken = new Map<string, string>();
  /** The token each of those requests gave, by the request's key, to forget it with the request. */
  private readonly tokenOf = new Map<string, string>();

  /** A message from the client: a request with a progress token opens a way for its progress. */
  fromClient(message: JsonObject): void {
    const id = requestIdOf(message);
    const token = id === undefined ? undefined : progressTokenOf(message);
    if (id !== undefined && token !== undefined) {
      this.byToken.set(requestKey(token), requestKey(id));
      this.tokenOf.set(requestKey(id), requestKey(token));
    }
    const cancelled = cancelledIdOf(message);
    if (cancelled !== undefined) this.forget(requestKey(cancelled));
  }

  /** Where a message from the child goes: the request it belongs to, or none. */
  relatedTo(message: JsonObject): Related | string | undefined {
    const answered = responseIdOf(message);
    if (answered !== undefined) {
      this.forget(requestKey(answered));
      return { request: requestKey(answered), final: true };
    }
    if (message['method'] !== LifecycleMethod.progress) return undefined;
    const params = message['params'];
    const token = JsonObjectCodec.is(params) ? params['progressToken'] : undefined;
    return RequestIdCodec.is(token) ? this.byToken.get(requestKey(token)) : undefined;
  }

  private forget(request: string): void {
    const token = this.tokenOf.get(request);
    if (token === undefined) return;
    this.tokenOf.delete(request);
    if (this.byToken.get(token) === request) this.byToken.delete(token);
  }
}

/** `params._meta.progressToken` of a request, when it is a valid token. */
function progressTokenOf(message: JsonObject): RequestId | undefined {
  const params = message['params'];
  const meta = JsonObjectCodec.is(params) ? params['_meta'] : undefined;
  const token = JsonObjectCodec.is(meta) ? meta['progressToken'] : undefined;
  return RequestIdCodec.is(token) ? token : undefined;
}
