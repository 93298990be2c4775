import { jsonRpcRequest, LifecycleMethod, type RequestId } from '../../../protocol/index.js';
import { ConnectionClosedError } from '../../mcp-error.js';
import type { InputChannel } from './client-requests.js';
import type { McpSession } from '../sessions/session.js';

/** What a request to the client made while serving a request needs to know about that request. */
export interface ServedRequest {
  readonly id: RequestId;
  readonly method: string;
  /** Aborted when the served request is cancelled, its client leaves, or the server stops. */
  readonly signal: AbortSignal;
  /** False once the served request's handler has finished. */
  readonly isOpen: () => boolean;
}

/**
 * Handshake era: each request to the client is a JSON-RPC request through the session's
 * correlator, tied to the request it serves (sent with its id as `relatedTo`, aborted with its
 * signal, a `notifications/cancelled` to the client when that happens or the wait times out).
 */
export function requestChannel(session: McpSession, served: ServedRequest, defaultTimeoutMs: number): InputChannel {
  return {
    ask(method, params, options) {
      if (!served.isOpen()) return Promise.reject(new Error(`${method} cannot be sent: the handler of ${served.method} has already finished`));
      return session.outgoing.request({
        method,
        params: () => params,
        timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
        signal: served.signal,
        send: (id, name, body) => {
          if (!session.send(jsonRpcRequest(id, name, body), served.id)) throw new ConnectionClosedError(`${name} could not be sent: the client is not connected`);
        },
        onAbandoned: (id, reason) => session.notify(LifecycleMethod.cancelled, { requestId: id, reason }, served.id),
      });
    },
  };
}

/** 2026-07-28, a method whose result cannot be `input_required`: the handler cannot ask the client anything. */
export function unavailableChannel(method: string): InputChannel {
  return {
    ask: (asked) =>
      Promise.reject(
        new Error(`${asked} cannot be sent while serving ${method} under revision 2026-07-28: only tools/call, prompts/get and resources/read may ask the client for input`),
      ),
  };
}
