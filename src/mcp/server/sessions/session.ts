import type { Observable } from 'rxjs';
import {
  jsonRpcError,
  jsonRpcNotification,
  jsonRpcResult,
  JsonRpcErrorCode,
  LOGGING_LEVELS,
  MetaKey,
  type ClientCapabilities,
  type Implementation,
  type JsonObject,
  type LoggingLevel,
  type RequestId,
  type SubscriptionFilter,
} from '../../../protocol/index.js';
import type { AuthInfo, CloseInfo, UpgradeRequestInfo } from '../../../transport/index.js';
import { CancelledError } from '../../mcp-error.js';
import { RequestCorrelator, requestKey } from '../../request-correlator.js';

/**
 * One connection as the MCP layer sees it: enough to send, close and notice the end. A transport
 * `ClientConnection` is one; the plain-ws path builds its own.
 */
export interface McpPeer {
  readonly id: string;
  readonly request: UpgradeRequestInfo;
  readonly closed$: Observable<CloseInfo>;
  /** Who the transport's `authenticate` hook accepted the connection as. */
  readonly authInfo?: AuthInfo | undefined;
  /** Aborted when work for this peer should stop (gone, or the server's drain is over). */
  readonly signal?: AbortSignal;
  /**
   * Serialises and sends; false when the socket is no longer open. Throws if `message` is not
   * serialisable. `relatedTo` is the key (`requestKey(id)`, as the transport's `requestKey` option
   * keys requests) of the client's request the message belongs to (progress, log, a request to the
   * client made while serving it); an edge with a stream per request sends it there.
   */
  send(message: JsonObject, relatedTo?: string): boolean;
  close(code?: number, reason?: string): void;
  /** The request with this key gets no reply (it was cancelled): an edge with a response per request ends it. */
  settle?(requestKey: string): void;
  /**
   * Emits once, then completes, when the client has read everything sent to it before the call,
   * or the connection is gone. Without it, replies never wait for the client (see
   * `afterNotificationsRead`).
   */
  readReceipt?(): Observable<void> | undefined;
  /** One ordered stream without read receipts (stdio): a ping's answer stands in for one. */
  readonly inOrder?: boolean;
}

/**
 * How a request is served. `legacy`: under the connection's `initialize` handshake.
 * `modern`: revision 2026-07-28, everything the request needs is in its own `_meta`.
 */
export type RequestEra =
  | { readonly kind: 'legacy' }
  | {
      readonly kind: 'modern';
      readonly protocolVersion: string;
      readonly clientCapabilities: ClientCapabilities;
      readonly clientInfo: Implementation | undefined;
      readonly logLevel: LoggingLevel | undefined;
    };

/** `new`: nothing yet. `initialized`: `initialize` answered. `ready`: `notifications/initialized` received. */
export type HandshakeState = 'new' | 'initialized' | 'ready';

/** A request being handled: its abort switch and whether the client cancelled it. */
export interface InFlightRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly controller: AbortController;
  /** Set by `notifications/cancelled` (or the end of its client): the reply, whatever it is, is not sent. */
  cancelled: boolean;
}

/** An open `subscriptions/listen` stream. */
export interface Listen {
  readonly id: RequestId;
  readonly filter: SubscriptionFilter;
}

/**
 * Per-connection MCP state: the handshake, the negotiated version, the client's identity and
 * capabilities, its log level, requests in flight, resource subscriptions and listen streams.
 */
export class McpSession {
  handshake: HandshakeState = 'new';
  protocolVersion: string | undefined;
  clientInfo: Implementation | undefined;
  clientCapabilities: ClientCapabilities = {};
  /** Set by `logging/setLevel`; until then every level is sent. */
  logLevel: LoggingLevel | undefined;
  /** How `sessions$` announced this session; `undefined` until it has. */
  openedAs: 'legacy' | 'modern' | undefined;
  /** The revision the session was announced with. */
  openedWithVersion: string | undefined;
  /** A Streamable HTTP session whose state lives in a shared store: its `Mcp-Session-Id`. */
  sharedId: string | undefined;
  /** A WebSocket session resumed from another node while its stored state loads: what it receives waits for this. */
  loading: Promise<void> | undefined;
  readonly inFlight = new Map<string, InFlightRequest>();
  readonly resourceSubscriptions = new Set<string>();
  readonly listens = new Map<string, Listen>();
  /** Requests the server sends to the client (ping). */
  readonly outgoing: RequestCorrelator;

  constructor(
    readonly peer: McpPeer,
    outgoing: RequestCorrelator,
  ) {
    this.outgoing = outgoing;
  }

  get id(): string {
    return this.peer.id;
  }

  get authInfo(): AuthInfo | undefined {
    return this.peer.authInfo;
  }

  /** Whether list_changed notifications of the legacy era reach this connection. */
  get legacyEntitled(): boolean {
    return this.handshake !== 'new';
  }

  /**
   * Sends one message; a message that cannot be serialised is reported to the caller by a throw.
   * `relatedTo`: the id of the request it belongs to, if any.
   */
  send(message: JsonObject, relatedTo?: RequestId): boolean {
    return this.peer.send(message, keyOf(relatedTo));
  }

  /** Sends a notification, tied to the request `relatedTo` when it is sent while serving one. */
  notify(method: string, params?: JsonObject, relatedTo?: RequestId): boolean {
    try {
      return this.peer.send(jsonRpcNotification(method, params), keyOf(relatedTo));
    } catch {
      return false;
    }
  }

  /** Sends a result; if it cannot be serialised, sends -32603 instead so the caller is not left waiting. */
  reply(id: RequestId, result: JsonObject): void {
    try {
      this.peer.send(jsonRpcResult(id, result));
    } catch {
      this.peer.send(jsonRpcError(id, JsonRpcErrorCode.InternalError, 'Internal error: the result could not be serialised to JSON'));
    }
  }

  replyError(id: RequestId | undefined, code: number, message: string, data?: unknown): void {
    try {
      this.peer.send(jsonRpcError(id, code, message, data));
    } catch {
      this.peer.send(jsonRpcError(id, code, message));
    }
  }

  /** Aborts a request in flight on the client's behalf; its reply will not be sent. */
  cancel(id: RequestId, reason: string): boolean {
    const request = this.inFlight.get(requestKey(id));
    if (!request || request.method === 'initialize') return false;
    request.cancelled = true;
    request.controller.abort(new CancelledError(reason));
    // No reply will come: an edge with a response per request (Streamable HTTP) ends it now.
    this.peer.settle?.(requestKey(id));
    return true;
  }

  /** Aborts every request in flight (disconnect, shutdown). */
  abortAll(reason: Error): void {
    for (const request of this.inFlight.values()) request.controller.abort(reason);
  }

  /** Subscription ids of the listen streams that asked for `flag`. */
  listenersFor(flag: 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'): Listen[] {
    return [...this.listens.values()].filter((listen) => listen.filter[flag] === true);
  }

  listenersForResource(uri: string): Listen[] {
    return [...this.listens.values()].filter((listen) => listen.filter.resourceSubscriptions?.includes(uri) === true);
  }

  /** Sends a notification on a listen stream, tagged with its subscription id and tied to the listen request. */
  notifyListener(listen: Listen, method: string, params: JsonObject = {}): boolean {
    const meta = (params['_meta'] as JsonObject | undefined) ?? {};
    return this.notify(method, { ...params, _meta: { ...meta, [MetaKey.subscriptionId]: listen.id } }, listen.id);
  }
}

/** Whether a message at `level` passes the threshold `minimum` (`undefined`: everything passes). */
export function levelPasses(level: LoggingLevel, minimum: LoggingLevel | undefined): boolean {
  return minimum === undefined || LOGGING_LEVELS.indexOf(level) >= LOGGING_LEVELS.indexOf(minimum);
}

/** The transport's key for a request id (see `jsonRpcRequestKey`), as `send`'s `relatedTo` wants it. */
function keyOf(id: RequestId | undefined): string | undefined {
  return id === undefined ? undefined : requestKey(id);
}
