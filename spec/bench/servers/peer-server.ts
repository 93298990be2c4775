import type { JsonObject } from '../../../src/protocol/index.js';

/** The request every transport workload sends; the server answers it through its message handler. */
export interface BenchRequest {
  readonly type: 'request';
  readonly id: number;
  readonly data: string;
}

/** What every server under test replies to a `BenchRequest`. */
export function replyTo(request: JsonObject): JsonObject {
  return { type: 'reply', id: request['id'], data: request['data'] };
}

/** A server under test, as the harness drives it. */
export interface PeerServer {
  readonly port: number;
  /** Connections the server currently counts as open. */
  clientCount(): number;
  /** Sends `message` to every connected client the way this server's users would. */
  broadcast(message: JsonObject): Promise<void> | void;
  stop(): Promise<void>;
}
