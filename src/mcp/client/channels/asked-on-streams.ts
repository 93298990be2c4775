import { RequestIdCodec, type JsonObject, type RequestId } from '../../../protocol/index.js';
import { requestKey } from '../../request-correlator.js';

/**
 * The server's requests (sampling, elicitation, roots, ping) that came on the response stream of
 * each call and are not answered yet, by the call's request key. Over Streamable HTTP whatever
 * the server says later about such a request (its cancellation) comes on that same stream, so
 * when the client lets the stream go before the call's reply, they are orphaned: nothing more
 * will be heard of them.
 */
export class AskedOnStreams {
  private readonly byCall = new Map<string, Map<string, RequestId>>();

  /** A message on the stream of the call `callKey`: noted if it is a request of the server. */
  note(callKey: string, message: JsonObject): void {
    const id = message['id'];
    if (typeof message['method'] !== 'string' || !RequestIdCodec.is(id)) return;
    const requests = this.byCall.get(callKey) ?? new Map<string, RequestId>();
    requests.set(requestKey(id), id);
    this.byCall.set(callKey, requests);
  }

  /** Our answer to the server's request `id` is on its way: it waits no longer. */
  answered(id: RequestId): void {
    for (const requests of this.byCall.values()) requests.delete(requestKey(id));
  }

  /** The call is over: the server's requests that came on its stream and are still unanswered. */
  take(callKey: string): RequestId[] {
    const requests = this.byCall.get(callKey);
    this.byCall.delete(callKey);
    return [...(requests?.values() ?? [])];
  }

  /** Forgets everything (the session is gone). */
  clear(): void {
    this.byCall.clear();
  }
}
