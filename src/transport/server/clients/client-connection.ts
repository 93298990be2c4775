import type { Observable } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import type { CloseInfo, Related, UpgradeRequestInfo } from '../../edges/edge.js';
import type { AuthInfo } from '../../security/authenticate.js';

/** A connected client, as the server's streams and queries describe it: plain data, safe to log. */
export interface ClientInfo {
  /** Unique for the life of the server process (a random UUID). */
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly connectedAt: Date;
  /** The negotiated subprotocol, `''` when none. */
  readonly protocol: string;
  /**
   * The upgrade request, without the handshake's own headers and the session request; on a server
   * with `authenticate`, credentials (Authorization, Cookie, token subprotocol entries, `token`
   * query parameter) read `REDACTED`.
   */
  readonly request: UpgradeRequestInfo;
  /** The principal the server's `authenticate` hook accepted; `undefined` without a hook. */
  readonly authInfo?: AuthInfo | undefined;
}

/**
 * One client of a server transport, as handlers, streams and queries hand it out. Sending is
 * synchronous and says whether the message was handed on; a closed client is skipped, never thrown
 * at. A client that asked for a resumable session keeps this identity across a short drop.
 */
export interface ClientConnection extends ClientInfo {
  /** Whether its connection is open now (a resumable client that dropped is not, until it resumes). */
  readonly isOpen: boolean;
  /** Bytes written to it but not yet sent. */
  readonly bufferedAmount: number;
  /** Emits the close code and reason once the client is gone for good, then completes. */
  readonly closed$: Observable<CloseInfo>;
  /**
   * Aborted when work for this client should stop: the client is gone for good (`ClientGoneError`),
   * or the server's graceful stop has ended its drain (`TransportStoppedError`). Handlers that
   * return a promise can pass it on (to `fetch`, a database call) and give up early.
   */
  readonly signal: AbortSignal;
  /**
   * Serialises and sends one message. Throws only if `message` cannot be serialised. `relatedTo`
   * names the request it belongs to (its key, by the transport's `requestKey` option): an edge that
   * answers each request on its own response (Streamable HTTP) sends it there. Pass
   * `{ request, final: true }` for the request's last message (its response), after which that
   * response may end; a string means more may follow.
   */
  send(message: JsonObject, relatedTo?: string | Related): boolean;
  /**
   * The request with this key (see `send`'s `relatedTo`) will get no reply — it was cancelled, say:
   * an edge that answers each request on its own response (Streamable HTTP) ends that response now.
   */
  settle(requestKey: string): void;
  /** Closes its connection with `code` (default 1000) and `reason`. */
  close(code?: number, reason?: string): void;
  /** Drops its connection without a close handshake. */
  terminate(): void;
  /** A plain snapshot, safe to log or send. */
  toInfo(): ClientInfo;
}
