// Only SDK *types* are imported: the SDK is an optional peer and must never load with the core.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { lastValueFrom, Subscription, type Observable } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { CloseCode, NotConnectedError, type ClientConnection, type Related } from '../../transport/index.js';
import { requestKey } from '../request-correlator.js';
import { sdkEnvelopeProblem, type SdkEnvelopeProblem } from './sdk-jsonrpc.js';

/** Options of {@link SdkConnectionTransport}. */
export interface SdkConnectionTransportOptions {
  /** Handed to the SDK with every message of this connection; tool handlers read it as `extra.authInfo`. */
  readonly authInfo?: AuthInfo;
}

/**
 * One client connection of `WebSocketServerTransport` as the official SDK's `Transport`, so one
 * SDK `Server`/`McpServer` can serve it. `sessionId` is the client's id; every message carries
 * the upgrade request's headers and URL as `extra.requestInfo`.
 *
 * Messages that arrive before `start()` are kept and delivered by `start()`. A message that is not
 * JSON-RPC as the SDK accepts it is answered with -32600 (when it is not a response) and reported
 * on `onerror`, never handed to the SDK. `onclose` fires exactly once: when `close()` is called or
 * when the socket closes, whichever comes first.
 *
 * `serveSdkServer` builds these for you; construct one yourself only to wire a single connection.
 *
 * @example
 * const incoming$ = transport.messages$.pipe(filter((m) => m.client === connection), map((m) => m.message));
 * await new McpServer({ name: 'demo', version: '1.0.0' }).connect(new SdkConnectionTransport(connection, incoming$));
 * @see serveSdkServer
 */
export class SdkConnectionTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  /** The client's id: unique for the life of the server process. */
  readonly sessionId: string;

  private readonly extra: MessageExtraInfo;
  private readonly subscriptions = new Subscription();
  private pending: JSONRPCMessage[] = [];
  private started = false;
  private closed = false;
  private closeRequested = false;
  private closeNotified = false;

  constructor(
    private readonly connection: ClientConnection,
    /** This connection's messages, in order. */
    incoming$: Observable<JsonObject>,
    options: SdkConnectionTransportOptions = {},
  ) {
    this.sessionId = connection.id;
    const requestInfo = { headers: connection.request.headers, url: requestUrl(connection) };
    this.extra = options.authInfo === undefined ? { requestInfo } : { requestInfo, authInfo: options.authInfo };
    this.subscriptions.add(incoming$.subscribe((message) => this.receive(message)));
    this.subscriptions.add(connection.closed$.subscribe(() => this.socketClosed()));
  }

  /** Delivers the messages kept since construction, then every later one as it arrives. Called by the SDK's `connect()`. */
  start(): Promise<void> {
    if (this.started) {
      return Promise.reject(new Error('SdkConnectionTransport already started; each SDK server connects to it once'));
    }
    this.started = true;
    const pending = this.pending;
    this.pending = [];
    for (const message of pending) this.onmessage?.(message, this.extra);
    if (this.closed) this.notifyClose();
    return Promise.resolve();
  }

  /** Sends one message as one text frame. Rejects with `NotConnectedError` once the connection is closed. */
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return Promise.reject(this.notConnected());
    try {
      if (!this.connection.send(message, relatedOf(message, options?.relatedRequestId))) return Promise.reject(this.notConnected());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }

  /**
   * Closes the socket (1000) and fires `onclose` at once; resolves when the socket has closed.
   * Calling it again, or after the client left, only waits for that.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.closeRequested = true;
      this.pending = [];
      this.connection.close(CloseCode.Normal, '');
      this.notifyClose();
    }
    return lastValueFrom(this.connection.closed$, { defaultValue: undefined }).then(() => undefined);
  }

  private receive(message: JsonObject): void {
    if (this.closed) return;
    const problem = sdkEnvelopeProblem(message);
    if (problem !== undefined) {
      this.rejectInvalid(problem);
      return;
    }
    // Checked just above against the shapes the SDK's own schemas accept.
    const valid = message as JSONRPCMessage;
    if (this.started) this.onmessage?.(valid, this.extra);
    else this.pending.push(valid);
    // The SDK sends nothing for a request its client cancelled: its HTTP response ends now.
    const cancelled = cancelledRequestOf(message);
    if (cancelled !== undefined) this.connection.settle(requestKey(cancelled));
  }

  private rejectInvalid(problem: SdkEnvelopeProblem): void {
    if (problem.reply) this.connection.send(problem.reply);
    this.onerror?.(new Error(`Invalid JSON-RPC message from client ${this.sessionId}: ${problem.reason}`));
  }

  private socketClosed(): void {
    this.closed = true;
    this.pending = [];
    // Before start() the SDK has not connected yet; start() reports the close instead.
    if (this.started || this.closeRequested) this.notifyClose();
  }

  private notifyClose(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.subscriptions.unsubscribe();
    this.onclose?.();
  }

  private notConnected(): NotConnectedError {
    return new NotConnectedError(`Cannot send: the connection of client ${this.sessionId} is closed`);
  }
}

/** The upgrade request's URL, absolute as the SDK's `RequestInfo` wants it. */
function requestUrl(connection: ClientConnection): URL {
  const { url, headers } = connection.request;
  // A Host header that is not a valid authority must not break the connection.
  const base = headers.host !== undefined && URL.canParse(`ws://${headers.host}`) ? `ws://${headers.host}` : 'ws://localhost';
  return URL.canParse(url, base) ? new URL(url, base) : new URL(base);
}

/**
 * Which request a message of the SDK's belongs to, for edges with a response per request (HTTP): a
 * response is its request's last word; progress, logs and requests to the client made while
 * serving one carry the SDK's `relatedRequestId`.
 */
function relatedOf(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): Related | string | undefined {
  if ('id' in message && !('method' in message) && (typeof message.id === 'string' || typeof message.id === 'number')) {
    return { request: requestKey(message.id), final: true };
  }
  return relatedRequestId === undefined ? undefined : requestKey(relatedRequestId);
}

/** The id a `notifications/cancelled` names, if `message` is one. */
function cancelledRequestOf(message: JsonObject): RequestId | undefined {
  if (message['method'] !== 'notifications/cancelled') return undefined;
  const params = message['params'];
  const id = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as JsonObject)['requestId'] : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}
