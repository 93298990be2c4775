import type { JsonObject } from '../../../protocol/index.js';
import type { HandlerReply } from '../../flow/run-handlers.js';
import type { Connection } from '../clients/connection.js';
import { serialize } from '../serialize.js';

/**
 * Writes a handler's reply to the client that asked, marked as the final word on its request
 * (so a Streamable HTTP exchange knows it may end). A reply that cannot be serialised is handed
 * to `failed`, which answers with an error instead.
 */
export function sendReply(
  { client, reply, request }: HandlerReply<Connection>,
  requestKey: (message: JsonObject) => string | undefined,
  failed: (client: Connection, request: JsonObject, error: unknown) => void,
): void {
  let data: string;
  try {
    data = serialize(reply);
  } catch (error) {
    failed(client, request, error);
    return;
  }
  const key = requestKey(request);
  client.write(data, undefined, key === undefined ? undefined : { request: key, final: true });
}
