// Only SDK *types* are imported: the SDK is an optional peer and must never load with the core.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Subscription } from 'rxjs';
import { jsonRpcRequest, LifecycleMethod, type JsonObject } from '../../protocol/index.js';
import {
  NotConnectedError,
  WebSocketClientTransport,
  type ClientState,
  type ClientTransportOptions,
  type SessionOutcome,
} from '../../transport/index.js';
import { ConnectionClosedError } from '../mcp-error.js';
import { OrderedDelivery } from './ordered-delivery.js';
import { sdkEnvelopeProblem } from './sdk-jsonrpc.js';

/**
 * Options of {@link SdkClientTransport}: those of our `WebSocketClientTransport` (reconnection,
 * send queue, heartbeat, headers, resumption, …, with the same defaults), except the ones this
 * transport sets itself: it offers the subprotocol `mcp`, hands every message to the SDK, and keeps
 * no `receiveMessage()` buffer.
 */
export type SdkClientTransportOptions = Omit<ClientTransportOptions, 'messageHandler' | 'protocols' | 'inboxSize'>;

/**
 * The official SDK's client-side `Transport` over nexus-mcp's reconnecting `WebSocketClientTransport`:
 * give it to an SDK `Client` in place of the SDK's own `WebSocketClientTransport`.
 *
 * What the SDK client gains: reconnection with full-jitter backoff, sends held in a bounded queue
 * while the connection is down, and session resumption against a server that offers it (our
 * `MCPServer`, or an SDK server behind `serveSdkServer`): after a drop the server replays what the
 * client missed, exactly once and in order, so calls in flight get their replies and their
 * progress. A drop that is being retried is neither a close nor a cancellation.
 *
 * When the session cannot continue, the transport closes (`onclose`), and the SDK fails the calls
 * still waiting with its `ConnectionClosed` error (-32000): the session expired before the client
 * came back (a `SessionExpiredError` goes to `onerror` first), the server offers no sessions and the
 * connection dropped, or reconnecting gave up (`ConnectionFailedError` on `onerror`). Connect a new
 * transport to carry on.
 *
 * `sessionId` stays undefined: the SDK `Client` treats a transport with one as a reconnection and
 * would skip the `initialize` handshake. Messages reach `onmessage` one microtask apart, so that the
 * SDK has handled a progress notification before the response that follows it.
 *
 * @example
 * const client = new Client({ name: 'my-app', version: '1.0.0' });
 * await client.connect(new SdkClientTransport('ws://127.0.0.1:3001'));
 * const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
 * await client.close();
 * @see docs/interop.md
 */
export class SdkClientTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  /** Never set: the SDK `Client` skips its handshake on a transport that has a session id. */
  readonly sessionId: string | undefined = undefined;
  /**
   * The reconnecting WebSocket client underneath. Watch its `state$` (`reconnecting` while the
   * connection is down) and `session$` (`resumed` or `expired` after each reconnection).
   */
  readonly connection: WebSocketClientTransport;

  private readonly wiring = new Subscription();
  private readonly delivery = new OrderedDelivery<JSONRPCMessage>((message) => this.deliver(message));
  /** Ids of our own session probes, whose replies the SDK must not see. */
  private readonly probes = new Set<string>();
  private probeCount = 0;
  private started = false;
  /** The transport is over (closing, or the session was lost): nothing more is sent or taken in. */
  private ending = false;
  private closeNotified = false;
  /** Whether the server gave this client a resumable session; unknown until its first frame. */
  private sessionBacked: boolean | undefined;
  /** A session-backed connection dropped: the next open's word on the session is awaited. */
  private awaitingOutcome = false;

  constructor(url: string | URL, options: SdkClientTransportOptions = {}) {
    this.connection = new WebSocketClientTransport(String(url), { ...options, protocols: ['mcp'], inboxSize: 0 });
  }

  /**
   * Connects; resolves at the first open. A failed first attempt is retried like a drop; only when
   * reconnecting gives up does the promise reject, the failure go to `onerror`, and the transport
   * close (`onclose`). The SDK `Client`'s `connect()` calls it: do not call it yourself.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('SdkClientTransport already started; the SDK Client’s connect() starts it, once per transport');
    this.started = true;
    const { connection } = this;
    // errors$ first: a SessionExpiredError is reported before the session's end is acted on.
    this.wiring.add(connection.errors$.subscribe((error) => this.report(error)));
    this.wiring.add(connection.session$.subscribe((outcome) => this.onSessionOutcome(outcome)));
    this.wiring.add(connection.messages$.subscribe((message) => this.onServerMessage(message)));
    this.wiring.add(connection.state$.subscribe({ next: (state) => this.onConnectionState(state), complete: () => this.end() }));
    await connection.start();
  }

  /**
   * Sends one message. While reconnecting it waits in the bounded send queue and goes out after
   * the next open; rejects (never drops silently) when the queue is full or too old, or the
   * transport is closed.
   */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (!this.started) return Promise.reject(new NotConnectedError('SdkClientTransport is not started; connect an SDK Client to it first'));
    if (this.ending) return Promise.reject(new NotConnectedError('SdkClientTransport is closed'));
    return this.connection.sendMessage(message);
  }

  /** Closes the connection (1000) for good; `onclose` fires once, when it has closed. Idempotent. */
  async close(): Promise<void> {
    this.ending = true;
    this.delivery.clear();
    this.wiring.unsubscribe();
    await this.connection.stop();
    this.notifyClose();
  }

  private onConnectionState(state: ClientState): void {
    if (state === 'open' && this.awaitingOutcome) {
      this.probeSession();
      return;
    }
    if (state !== 'reconnecting' || this.awaitingOutcome) return;
    if (this.sessionBacked !== true) {
      this.loseSession(new ConnectionClosedError('The connection dropped, and the server keeps no session to resume; calls in flight may or may not have run'));
      return;
    }
    // The server keeps the session for its window: the next open says whether it was resumed.
    this.awaitingOutcome = true;
  }

  private onSessionOutcome(outcome: SessionOutcome): void {
    if (!this.awaitingOutcome) {
      this.sessionBacked = true; // the first open's: a fresh, resumable session
      return;
    }
    this.awaitingOutcome = false;
    if (outcome.resumed) return; // the replay follows: calls in flight get their replies
    // An expired session was reported on errors$ already.
    this.loseSession(outcome.expired ? undefined : new ConnectionClosedError('The server started a new session instead of resuming ours'));
  }

  private onServerMessage(message: JsonObject): void {
    // A session frame always comes first: a message before one means the server offers no sessions.
    this.sessionBacked ??= false;
    if (this.awaitingOutcome) {
      this.loseSession(new ConnectionClosedError('The connection dropped, and the server did not resume the session; calls in flight may or may not have run'));
      return;
    }
    const id = message['id'];
    if (typeof id === 'string' && this.probes.delete(id)) return;
    const problem = sdkEnvelopeProblem(message);
    if (problem !== undefined) {
      if (problem.reply) this.connection.sendMessage(problem.reply).catch(() => undefined);
      this.report(new Error(`Invalid JSON-RPC message from the server: ${problem.reason}`));
      return;
    }
    // Checked just above against the shapes the SDK's own schemas accept.
    this.delivery.push(message as JSONRPCMessage);
  }

  /**
   * Asks the reopened connection for a reply: a server that still offers sessions sends its word on
   * the session before anything else, so a reply arriving first shows it offers none.
   */
  private probeSession(): void {
    this.probeCount += 1;
    const id = `nexus-sdk-session-probe-${this.probeCount}`;
    this.probes.add(id);
    this.connection.sendMessage(jsonRpcRequest(id, LifecycleMethod.ping)).catch(() => this.probes.delete(id));
  }

  /** The MCP session cannot go on: report why, stop the connection, close after what was received. */
  private loseSession(why: Error | undefined): void {
    if (this.ending) return;
    if (why) this.report(why);
    this.end();
    this.connection.stop().catch(() => undefined);
  }

  /** The connection is over: what was received still reaches the SDK, then `onclose`. */
  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.wiring.unsubscribe();
    this.delivery.end(() => this.notifyClose());
  }

  private deliver(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private report(error: Error): void {
    this.onerror?.(error);
  }

  private notifyClose(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.onclose?.();
  }
}
