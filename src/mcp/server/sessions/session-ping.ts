import { jsonRpcRequest } from '../../../protocol/index.js';
import { ConnectionClosedError } from '../../mcp-error.js';
import type { McpSession } from './session.js';

/** Pings the client of `session`; resolves with the round trip in ms (by `now`), rejects on timeout or error. */
export async function pingSession(session: McpSession, timeoutMs: number, now: () => number): Promise<number> {
  const started = now();
  await session.outgoing.request({
    method: 'ping',
    timeoutMs,
    send: (id, method, params) => {
      if (!session.send(jsonRpcRequest(id, method, params))) throw new ConnectionClosedError(`Session ${session.id} is closed`);
    },
  });
  return now() - started;
}
