import type { Observable } from 'rxjs';
import type { JsonObject, RequestId } from '../../../protocol/index.js';
import type { ClientState } from '../../../transport/client/client-core.js';
import type { ClientTransportOptions } from '../../../transport/client/client-options.js';
import type { SessionOutcome } from '../../../transport/client/client-session.js';
import type { ClientTransportCore } from '../../../transport/client/client-core.js';

/**
 * What `SimpleMCPClient` needs from a connection: send JSON, receive JSON, know whether it is up,
 * and hear whether a reconnection resumed the session.
 */
export interface ClientChannel {
  /** Replays the current state to each subscriber; completes when the channel is done for good. */
  readonly state$: Observable<ClientState>;
  /** Every JSON object the server sends (hot). */
  readonly messages$: Observable<JsonObject>;
  /**
   * What the server said about the session at each open, before any message of that connection:
   * `resumed` (the missed messages are replayed next) or a fresh session. Silent when the server
   * offers no sessions or the channel does not ask for them.
   */
  readonly session$: Observable<SessionOutcome>;
  /**
   * The server ended the session on its own (Streamable HTTP: a 404 on a request that named it):
   * calls in flight fail with the error, and the client initializes a new session. Optional.
   */
  readonly expired$?: Observable<Error>;
  /** Problems that are nobody's call (a stream that cannot be reopened, an event that is not JSON). Optional. */
  readonly problems$?: Observable<Error>;
  /**
   * Requests of the server the channel can no longer hear about (Streamable HTTP: they came on the
   * stream of a call that is over): their handlers are aborted as if the server had cancelled them. Optional.
   */
  readonly orphaned$?: Observable<{ readonly requestId: RequestId; readonly reason: string }>;
  start(): Promise<void>;
  send(message: JsonObject): Promise<void>;
  /** The call with this id is over, however it ended: a channel holding something open for it may let go. Optional. */
  release?(id: RequestId): void;
  stop(): Promise<void>;
}

/** Makes the platform's `WebSocketClientTransport` (ws in Node, the native WebSocket in browsers). */
export type SocketTransportFactory = (url: string, options: ClientTransportOptions) => ClientTransportCore;

/**
 * Over `WebSocketClientTransport`: reconnection with backoff, bounded offline queue, heartbeat, and
 * session resumption unless `options.resume` is `false`. The seed's plain path (`useTransport:
 * false`) is the same transport with all of those off: one socket, and when it closes, the end.
 * `mcp` is offered first, then the caller's own subprotocols (a browser's token entry).
 */
export function transportChannel(url: string, options: ClientTransportOptions, createTransport: SocketTransportFactory): ClientChannel {
  const extra = options.protocols === undefined ? [] : typeof options.protocols === 'string' ? [options.protocols] : options.protocols;
  const transport = createTransport(url, { ...options, protocols: ['mcp', ...extra.filter((protocol) => protocol !== 'mcp')] });
  return {
    state$: transport.state$,
    messages$: transport.messages$,
    session$: transport.session$,
    start: () => transport.start(),
    send: (message) => transport.sendMessage(message),
    stop: () => transport.stop(),
  };
}

/** `useTransport: false`: the client transport without its extras, as the seed's plain path had none. */
export const PLAIN_CLIENT: ClientTransportOptions = { reconnect: false, heartbeat: false, queue: false, resume: false };
