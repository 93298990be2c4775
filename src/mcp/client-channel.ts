import { BehaviorSubject, distinctUntilChanged, EMPTY, Subject, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import { decodeTextFrame, type JsonObject } from '../protocol/index.js';
import { CloseCode, WebSocketClientTransport, type ClientState, type ClientTransportOptions, type SessionOutcome } from '../transport/index.js';
import { ConnectionClosedError } from './mcp-error.js';

/**
 * What `SimpleMCPClient` needs from a connection: send JSON, receive JSON, know whether it is up,
 * and hear whether a reconnection resumed the session. The transport path reconnects (and resumes)
 * by itself; the plain-ws path does neither.
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
  start(): Promise<void>;
  send(message: JsonObject): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Over `WebSocketClientTransport`: reconnection with backoff, bounded offline queue, heartbeat, and
 * session resumption unless `options.resume` is `false`.
 */
export function transportChannel(url: string, options: ClientTransportOptions): ClientChannel {
  const transport = new WebSocketClientTransport(url, { ...options, protocols: ['mcp'] });
  return {
    state$: transport.state$,
    messages$: transport.messages$,
    session$: transport.session$,
    start: () => transport.start(),
    send: (message) => transport.sendMessage(message),
    stop: () => transport.stop(),
  };
}

/**
 * The legacy path (`useTransport: false`): one plain ws socket offering subprotocol `mcp`, no
 * reconnection, no queue. When it closes, the channel is closed.
 */
export function plainWsChannel(url: string, maxMessageSize: number): ClientChannel {
  const state = new BehaviorSubject<ClientState>('closed');
  const messages = new Subject<JsonObject>();
  let socket: WebSocket | undefined;
  let starting: Promise<void> | undefined;
  const finish = (): void => {
    state.next('closed');
    state.complete();
    messages.complete();
  };
  return {
    state$: state.pipe(distinctUntilChanged()),
    messages$: messages.asObservable(),
    session$: EMPTY,
    start: () => {
      starting ??= new Promise<void>((resolve, reject) => {
        state.next('connecting');
        const ws = new WebSocket(url, 'mcp', { maxPayload: maxMessageSize, perMessageDeflate: false });
        socket = ws;
        ws.on('open', () => {
          state.next('open');
          resolve();
        });
        ws.on('message', (data, isBinary) => {
          if (isBinary) return;
          const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
          const decoded = decodeTextFrame(text);
          if (decoded._tag === 'Right') messages.next(decoded.right);
        });
        ws.on('error', (error) => reject(new ConnectionClosedError(`Connection to ${url} failed: ${error.message}`, { cause: error })));
        ws.on('close', finish);
      });
      return starting;
    },
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        if (socket?.readyState !== WebSocket.OPEN) {
          reject(new ConnectionClosedError('Not connected'));
          return;
        }
        socket.send(JSON.stringify(message), (error) => (error ? reject(new ConnectionClosedError(`Send failed: ${error.message}`, { cause: error })) : resolve()));
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!socket || socket.readyState === WebSocket.CLOSED) {
          finish();
          resolve();
          return;
        }
        socket.once('close', () => resolve());
        socket.close(CloseCode.Normal);
      }),
  };
}
