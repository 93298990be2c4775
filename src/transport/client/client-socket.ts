import { Observable, timer, type SchedulerLike } from 'rxjs';
import { CloseCode } from '../close-codes.js';
import { heartbeat, type HeartbeatOptions, type HeartbeatPeer } from '../operators/heartbeat.js';

/**
 * The part of a WebSocket the client uses: met by browsers' native `WebSocket`, Node 22's, and ws.
 * `ping`/`on` exist only on ws; the heartbeat runs only where they do.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  readonly bufferedAmount: number;
  /** Sends one text frame; ws calls `callback` once it was written (or failed), browsers take none. */
  send(data: string, callback?: (error?: Error) => void): void;
  /** Starts the close handshake. */
  close(code?: number, reason?: string): void;
  /** Listens for `open`, `message`, `error` and `close`. */
  addEventListener(type: string, listener: (event: never) => void): void;
  /** Stops listening. */
  removeEventListener(type: string, listener: (event: never) => void): void;
  /** Sends a ping (ws only), for the heartbeat. */
  ping?(): void;
  /** Drops the connection without a close handshake (ws only); used on a peer that stopped answering pings. */
  terminate?(): void;
  /** Hears a pong (ws only), for the heartbeat. */
  on?(event: 'pong', listener: () => void): unknown;
  /**
   * Hears a refused upgrade (ws only), to read its `Retry-After`. The request and response are
   * Node's `ClientRequest` and `IncomingMessage`, typed by the parts read here so that these types
   * hold in a browser project too.
   */
  on?(
    event: 'unexpected-response',
    listener: (
      request: { destroy(error?: Error): unknown },
      response: { readonly statusCode?: number | undefined; readonly headers: Readonly<Record<string, string | string[] | undefined>> },
    ) => void,
  ): unknown;
  /** Stops hearing pongs (ws only). */
  off?(event: 'pong', listener: () => void): unknown;
}

/** A WebSocket constructor: `ws`'s (Node) or `globalThis.WebSocket` (browsers). Extra options go to ws. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

export const OPEN = 1;

/** Why a socket ended: its close code, or the one the client assigns (4000 heartbeat, 1006 timeout). */
export class SocketClosed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    /** Whether the socket had opened before it closed. */
    readonly wasOpen: boolean,
    /** The server refused the upgrade and said when to come back (`Retry-After`), ms from when it said so. */
    readonly retryAfterMs?: number,
  ) {
    super(`WebSocket closed with ${code}${reason ? `: ${reason}` : ''}`);
    this.name = 'SocketClosed';
  }
}

export type SocketEvent = { readonly kind: 'open'; readonly socket: WebSocketLike } | { readonly kind: 'message'; readonly data: unknown };

export interface ConnectParams {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  /** ws-only constructor options (headers, maxPayload, TLS). */
  readonly socketOptions: object;
  readonly connectTimeout: number;
  readonly heartbeat: HeartbeatOptions | undefined;
  readonly scheduler: SchedulerLike;
}

/**
 * One connection attempt as an Observable: emits `open` with the socket, then each `message`, and
 * errors with {@link SocketClosed} when the socket closes for any reason (completing is reserved
 * for the subscriber leaving). Unsubscribing closes the socket with 1000.
 */
export function connectSocket(params: ConnectParams): Observable<SocketEvent> {
  return new Observable<SocketEvent>((subscriber) => {
    const socket = new params.WebSocket(params.url, params.protocols, params.socketOptions);
    let opened = false;
    let failure: string | undefined;
    let tooLarge = false;
    let retryAfterMs: number | undefined;
    // ws only, where the refusal's headers can be read: a 429 or 503 may say when to come back.
    socket.on?.('unexpected-response', (request, response) => {
      // Wall-clock time: an HTTP date is one, whatever scheduler drives the retries.
      const retryAfter = response.headers['retry-after'];
      retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now());
      // What ws does without this listener: fail the attempt with the status in the error's message.
      request.destroy(new Error(`Unexpected server response: ${response.statusCode ?? 0}`));
    });

    const onOpen = (): void => {
      opened = true;
      connectTimer.unsubscribe();
      subscriber.next({ kind: 'open', socket });
      startHeartbeat();
    };
    const onMessage = (event: { data: unknown }): void => subscriber.next({ kind: 'message', data: event.data });
    const onError = (event: { message?: string; error?: unknown }): void => {
      failure = event.message ?? (event.error instanceof Error ? event.error.message : undefined);
      // ws closes with 1009 for the peer when a message passes maxPayload, but reports 1006 locally.
      if ((event.error as { code?: unknown } | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooLarge = true;
    };
    const onClose = (event: { code: number; reason: string }): void => {
      subscriber.error(closedBecause(tooLarge ? CloseCode.MessageTooBig : event.code, event.reason || failure || '', opened, retryAfterMs));
    };
    socket.addEventListener('open', onOpen);
    socket.addEventListener('message', onMessage);
    socket.addEventListener('error', onError);
    socket.addEventListener('close', onClose);

    const connectTimer = timer(params.connectTimeout, params.scheduler).subscribe(() => {
      subscriber.error(new SocketClosed(CloseCode.Abnormal, `no connection within ${params.connectTimeout} ms`, false));
    });

    let stopHeartbeat = (): void => undefined;
    const startHeartbeat = (): void => {
      if (!params.heartbeat || !socket.ping || !socket.on || !socket.off) return;
      const peer: HeartbeatPeer = {
        ping: () => socket.ping?.(),
        awaitingPong: false,
        get isOpen() {
          return socket.readyState === OPEN;
        },
      };
      const onPong = (): void => {
        peer.awaitingPong = false;
      };
      socket.on('pong', onPong);
      const beat = heartbeat(() => [peer], params.heartbeat, params.scheduler).subscribe(() => {
        // A peer that ignores pings will not answer a close frame either: drop it, don't close it with 1000.
        socket.terminate?.();
        subscriber.error(new SocketClosed(CloseCode.HeartbeatTimeout, 'no pong within the heartbeat timeout', true));
      });
      stopHeartbeat = () => {
        beat.unsubscribe();
        socket.off?.('pong', onPong);
      };
    };

    return () => {
      connectTimer.unsubscribe();
      stopHeartbeat();
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('close', onClose);
      // The error listener stays: ws throws on an 'error' event nobody listens to.
      if (socket.readyState === OPEN) socket.close(CloseCode.Normal);
      else if (socket.terminate) socket.terminate();
      else if (socket.readyState === 0) socket.close();
    };
  });
}

/** The server refused the upgrade with 401/403: map to the close codes that say "fatal". */
function closedBecause(code: number, reason: string, wasOpen: boolean, retryAfterMs: number | undefined): SocketClosed {
  const status = /Unexpected server response: (\d{3})/.exec(reason)?.[1];
  if (status === '401') return new SocketClosed(CloseCode.Unauthorized, reason, wasOpen);
  if (status === '403') return new SocketClosed(CloseCode.Forbidden, reason, wasOpen);
  // The server speaks none of the subprotocols offered: asking again will not change its answer.
  if (/Server sent (no|an invalid) subprotocol/.test(reason)) return new SocketClosed(CloseCode.ProtocolError, reason, wasOpen);
  return new SocketClosed(code, reason, wasOpen, retryAfterMs);
}

/** `Retry-After` as ms from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names a weekday and a month; Date.parse alone would take "-5" for a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
