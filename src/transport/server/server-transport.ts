import type { AddressInfo } from 'node:net';
import { ReplaySubject, Subject, type Observable, type Subscription } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { CloseCode } from '../close-codes.js';
import type { Edge } from '../edges/edge.js';
import { describeListenError } from '../edges/listener.js';
import { WsEdge } from '../edges/ws-edge.js';
import { ServerStartError, TransportStoppedError, type TransportErrorEvent } from '../errors.js';
import { InFlightCalls } from '../flow/in-flight.js';
import type { SlowConsumerEvent } from '../flow/slow-consumer.js';
import { watchServer } from '../dashboard/dashboard-source.js';
import type { TrafficTotals } from '../observability/traffic.js';
import { waitForCount } from '../operators/wait-for-count.js';
import type { Resumption, SessionHost } from '../resume/session-host.js';
import type { Broadcast } from './messages/broadcast.js';
import type { ClientConnection } from './clients/client-connection.js';
import { ReceivedMessages, type ClientMessage } from './messages/received-messages.js';
import type { ClusterLink, ClusterView } from './cluster-link.js';
import { sendToClient, sendToEveryClient, type SendRoutes } from './messages/message-sends.js';
import { operatorRoutes, type OperatorRoutes } from './operator-routes.js';
import { wirePeers } from './clients/peer-wiring.js';
import type { Peers, Disconnection } from './clients/peers.js';
import type { StructuredLogger } from './logging/logger.js';
import { serveClients } from './pipeline/serve.js';
import { logServerEvents } from './logging/server-log.js';
import { closeGracefully } from './shutdown.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerTransportOptions } from './server-options.js';

/**
 * A WebSocket server for JSON messages whose state is Observable: connections, disconnections,
 * messages, the client count and errors are hot streams, and the promise methods are conveniences
 * over them. Inside, it is one operator pipeline per server (`pipeline.ts`): frames from every
 * client are decoded (bad ones answered with an error reply), published on `messages$`, and handed
 * to the `messageHandler`, whose replies go back to their sender; broadcasts go through one subject
 * that encodes each message once for every client.
 *
 * @example
 * const transport = new WebSocketServerTransport({ port: 3001, messageHandler: (m) => ({ type: 'echo', original: m }) });
 * transport.clientCount$.subscribe((n) => console.log(`${n} clients`));
 * await transport.start();
 * await transport.broadcastNotification({ event: 'server_update' });
 * @see docs/transport.md
 */
export class WebSocketServerTransport {
  private readonly options: ResolvedServerOptions;
  private readonly peers: Peers;
  private readonly sessions: SessionHost | undefined;
  private readonly edge: Edge;
  /** This server's place in its cluster, when it has one. */
  private readonly cluster: ClusterLink | undefined;
  /** The admin page, when asked for (`dashboard`). */
  private readonly dashboard: OperatorRoutes['dashboard'];
  private readonly calls = new InFlightCalls();
  /** What `sendMessage` and `sendTo` go through. */
  private readonly sends: SendRoutes;
  /** `messages$` and `receiveMessage()`'s inbox. */
  private readonly received: ReceivedMessages;
  private readonly slowConsumerSubject = new Subject<SlowConsumerEvent>();
  private readonly broadcasts = new Subject<Broadcast>();
  /** Emits once when stopping begins: no more accepting, no heartbeat, no new work. */
  private readonly stopping$ = new ReplaySubject<void>(1);
  /** Emits once when stopped: the pipeline and the broadcast subject end. */
  private readonly stopped$ = new ReplaySubject<void>(1);
  /** Edges attached beside the transport's own (`attach`), started. */
  private readonly attached: Edge[] = [];
  private serving = false;
  /** Whether start() has resolved: readiness begins there. */
  private started = false;
  /** The log's subscription to the server's streams, from the first `start()` or `attach()`. */
  private logging: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  /** Each client as it connects (hot). */
  readonly connections$: Observable<ClientConnection>;
  /** Each client as it goes away for good, with its close code (hot). */
  readonly disconnections$: Observable<Disconnection>;
  /** Every accepted message from every client (hot). Bad frames never appear here. */
  readonly messages$: Observable<ClientMessage>;
  /**
   * The number of connected clients; replays the current count to each new subscriber. With a
   * `cluster`, every node's clients, as presence reports them.
   */
  readonly clientCount$: Observable<number>;
  /** The number of clients connected to this server (this node); replays the current count. */
  readonly localClientCount$: Observable<number>;
  /** Problems on single connections and in handlers. Never errors; completes on `stop()`. */
  readonly errors$: Observable<TransportErrorEvent>;
  /** The slow-consumer policy at work: connections becoming congested, draining, disconnected (hot). Completes on `stop()`. */
  readonly slowConsumer$: Observable<SlowConsumerEvent> = this.slowConsumerSubject.asObservable();
  /** Each dropped client that came back within the resume window, with how many frames it was replayed (hot). */
  readonly resumptions$: Observable<Resumption>;

  constructor(options: ServerTransportOptions = {}) {
    const resolved = resolveServerOptions(options);
    this.options = resolved;
    const { scheduler, resume } = resolved;
    const isStopping = (): boolean => this.stopping !== undefined;
    ({ peers: this.peers, sessions: this.sessions, cluster: this.cluster } = wirePeers(resolved, (event) => this.slowConsumerSubject.next(event), isStopping));
    this.sends = { peers: this.peers, broadcasts: this.broadcasts, sessions: this.sessions, cluster: this.cluster, isStopping };
    const { routes, upgrades, dashboard } = operatorRoutes(resolved, () => this.ready, () => watchServer(this, scheduler, () => this.peers.values()));
    this.dashboard = dashboard;
    this.received = new ReceivedMessages(resolved.inboxSize, scheduler, (error, clientId) => this.peers.report(error, clientId), isStopping);
    this.messages$ = this.received.messages$;
    this.edge = resolved.edge ?? new WsEdge({ ...resolved, sessions: resume !== undefined, routes, upgrades });
    this.connections$ = this.peers.connections$;
    this.disconnections$ = this.peers.disconnections$;
    this.localClientCount$ = this.peers.clientCount$;
    this.clientCount$ = this.cluster?.clientCount$ ?? this.peers.clientCount$;
    this.errors$ = this.peers.errors$;
    this.resumptions$ = this.sessions?.resumptions$ ?? new Subject<Resumption>().asObservable();
  }

  /** The bound address once started (read the port here when you asked for port 0). */
  get address(): AddressInfo | undefined {
    return this.edge instanceof WsEdge ? this.edge.address : undefined;
  }

  /**
   * Whether a load balancer should send this server new clients: started, not stopping, and with a
   * `cluster`, its bus connected (a node cut off from its bus would serve clients that miss every
   * other node's broadcasts). What `/readyz` answers (`health` option).
   */
  get ready(): boolean {
    return this.started && this.stopping === undefined && (this.cluster?.busConnected ?? true);
  }

  /** Messages and bytes taken in and handed out since the server was made (read by `nexus-mcp/metrics`). */
  get traffic(): TrafficTotals {
    return this.peers.traffic;
  }

  /** The logger this server writes to (from the `logger` option); layers above it log through it too. */
  get logger(): StructuredLogger {
    return this.options.logger;
  }

  /** `ws://host:port/path` (`wss://` with TLS) once started. */
  get url(): string | undefined {
    return this.edge.url;
  }

  /** `http://host:port/path` (`https://` with TLS) once started, when the server speaks Streamable HTTP too. */
  get httpUrl(): string | undefined {
    return this.edge instanceof WsEdge ? this.edge.httpUrl : undefined;
  }

  /**
   * Starts serving: builds the pipeline (at once, so a virtual edge is served within the same
   * turn) and starts the edge. Resolves when ready; rejects with `ServerStartError`. Idempotent.
   */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new TransportStoppedError('This transport was stopped; create a new one to serve again'));
    if (!this.starting) {
      this.serveOnce();
      this.starting = this.edge
        .start(this.peers)
        .then(
          async () => {
            await this.cluster?.start();
            this.started = true;
          },
          (error: unknown) => {
            this.starting = undefined;
            const { host, port } = this.options;
            throw new ServerStartError(describeListenError(error, host, port), { cause: error });
          },
        )
        .then(() => this.options.logger.info({ url: this.url, nodeId: this.cluster?.nodeId }, 'nexus-mcp: serving'));
    }
    return this.starting;
  }

  /**
   * Stops gracefully: stops accepting and refuses new work; lets unfinished handler calls finish
   * for up to `drainMs` (their replies still go out); at that deadline cancels what still runs
   * (Observable replies are unsubscribed, late promise replies are dropped) and closes every client
   * with 1001; terminates those that have not closed after `stopGraceMs`; completes every stream.
   * Idempotent: the first call's options count.
   */
  stop(options: { readonly drainMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.drainMs ?? this.options.drainMs);
    return this.stopping;
  }

  /** The number of connected clients now; with a `cluster`, on every node, as presence last reported it. */
  getConnectedClients(): number {
    return this.cluster?.clientCount ?? this.peers.size;
  }

  /**
   * This node in its cluster: its id, the live nodes with their clients, the bus's condition, and
   * topics for layers above the transport. `undefined` without a `cluster`.
   */
  get clusterNode(): ClusterView | undefined {
    return this.cluster;
  }

  /** The clients connected to this server now (a copy: later arrivals and departures do not change it). */
  getClients(): ClientConnection[] {
    return [...this.peers.values()];
  }

  /** The connected client with this id, if there is one. */
  getClient(id: string): ClientConnection | undefined {
    return this.peers.get(id);
  }

  /**
   * Closes one client's connection. Returns whether the client was connected. Throws `RangeError`
   * for a code that may not be sent in a close frame (RFC 6455 §7.4) or a reason over 123 bytes.
   */
  closeClient(id: string, code: number = CloseCode.Normal, reason = ''): boolean {
    return this.peers.closeClient(id, code, reason);
  }

  /**
   * Resolves `true` once at least `minClients` are connected (on every node, with a `cluster`; at once if they already are), or
   * `false` after `timeoutMs` or on `stop()`. Never rejects. `countReached(clientCount$, …)` is the
   * same as an Observable.
   */
  waitForClients(minClients = 1, timeoutMs = 30_000): Promise<boolean> {
    return waitForCount(this.clientCount$, minClients, timeoutMs, this.options.scheduler);
  }

  /**
   * The next message from any client. Messages that arrive while nobody waits are kept, up to
   * `inboxSize` (oldest dropped first, reported on `errors$`); keeping starts with the first call,
   * so a server that never calls this buffers nothing. Rejects with `ReceiveTimeoutError` after
   * `timeoutMs`, with `TransportStoppedError` after `stop()`.
   */
  receiveMessage(timeoutMs?: number): Promise<ClientMessage> {
    return this.received.take(timeoutMs);
  }

  /** Sends `{ ...notification, type: 'notification' }` to every client. Resolves with how many it reached. */
  broadcastNotification(notification: JsonObject): Promise<number> {
    return this.sendMessage({ ...notification, type: 'notification' });
  }

  /**
   * Sends one message to every client through the broadcast subject, encoded once; with a
   * `cluster`, published once for every other node too. Resolves with how many clients of this
   * node it reached (the other nodes deliver to theirs).
   */
  sendMessage(message: JsonObject): Promise<number> {
    return sendToEveryClient(this.sends, message);
  }

  /**
   * Sends one message to one client: on this node, or (with a `cluster`) on the node that holds it.
   * Resolves with 1 if it was sent (handed to the node holding the client), 0 if no node has it.
   */
  sendTo(clientId: string, message: JsonObject): Promise<number> {
    return sendToClient(this.sends, clientId, message);
  }

  /**
   * Serves the peers of one more edge beside the transport's own: a stdio edge, say, for a server
   * that speaks to its parent process as well as to the network. Works before `start()` too (then
   * only this edge is served until `start()`). `stop()` stops it with the rest.
   */
  attach(edge: Edge): Promise<void> {
    if (this.stopping) return Promise.reject(new TransportStoppedError('This transport was stopped; create a new one to serve again'));
    this.serveOnce();
    this.attached.push(edge);
    return edge.start(this.peers);
  }

  /** Builds, once, what runs while the server serves: the log, the dashboard, the message pipeline, the broadcast writer, the heartbeat. */
  private serveOnce(): void {
    if (this.serving) return;
    this.serving = true;
    const { options, peers, calls, broadcasts, stopping$, stopped$ } = this;
    this.logging = logServerEvents(this, options.logger, options.scheduler);
    this.dashboard?.start();
    serveClients({ options, peers, calls, broadcasts, stopping$, stopped$, isStopping: this.sends.isStopping, publish: (message) => this.received.publish(message) });
  }

  private async shutdown(drainMs: number): Promise<void> {
    this.stopping$.next();
    this.stopping$.complete();
    this.dashboard?.stop();
    await this.starting?.catch(() => undefined);
    const { stopGraceMs, scheduler } = this.options;
    const edges = this.starting ? [this.edge, ...this.attached] : this.attached;
    await closeGracefully({ edges, peers: this.peers, calls: this.calls, drainMs, stopGraceMs, scheduler });
    await this.cluster?.stop().catch(() => undefined);
    this.stopped$.next();
    this.stopped$.complete();
    this.received.close();
    this.slowConsumerSubject.complete();
    this.broadcasts.complete();
    this.sessions?.complete();
    this.peers.complete();
    this.logging?.unsubscribe();
    if (this.starting) this.options.logger.info({ url: this.url }, 'nexus-mcp: stopped');
  }
}
