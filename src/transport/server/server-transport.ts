import type { AddressInfo } from 'node:net';
import { ReplaySubject, Subject, takeUntil, type Observable, type Subscription } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { CloseCode, isSendableCloseCode } from '../close-codes.js';
import type { Edge } from '../edges/edge.js';
import { describeListenError } from '../edges/listener.js';
import { WsEdge } from '../edges/ws-edge.js';
import { InboxOverflowError, SerializationError, ServerStartError, TransportStoppedError, type TransportErrorEvent } from '../errors.js';
import type { DecodedMessage } from '../flow/decode.js';
import { InFlightCalls } from '../flow/in-flight.js';
import { Inbox } from '../flow/inbox.js';
import type { SlowConsumerEvent } from '../flow/slow-consumer.js';
import { Dashboard } from '../dashboard/dashboard.js';
import { watchServer } from '../dashboard/dashboard-source.js';
import { firstRoute, observabilityRoutes } from '../observability/http-routes.js';
import type { TrafficTotals } from '../observability/traffic.js';
import { heartbeat } from '../operators/heartbeat.js';
import { waitForCount } from '../operators/wait-for-count.js';
import { SessionHost, type Resumption } from '../resume/session-host.js';
import { resumeClusterOf } from '../resume/session-takeover.js';
import { writeToEveryClient, type Broadcast } from './broadcast.js';
import { clusterHostOf, ClusterLink, type ClusterView } from './cluster-link.js';
import type { ClientConnection, Connection } from './connection.js';
import { outboundPolicy } from './outbound-policy.js';
import { Peers, type Disconnection } from './peers.js';
import { pipelineEffects } from './pipeline-effects.js';
import { serverPipeline } from './pipeline.js';
import type { StructuredLogger } from './logger.js';
import { logServerEvents } from './server-log.js';
import { closeGracefully } from './shutdown.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerTransportOptions } from './server-options.js';
import { sendReply } from './send-reply.js';
import { serialize } from './serialize.js';

/** A message as it arrived: who sent it and what it said. */
export interface ClientMessage {
  readonly client: ClientConnection;
  readonly message: JsonObject;
}

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
  private readonly dashboard: Dashboard | undefined;
  private readonly calls = new InFlightCalls();
  private readonly messagesSubject = new Subject<ClientMessage>();
  private readonly slowConsumerSubject = new Subject<SlowConsumerEvent>();
  private readonly broadcasts = new Subject<Broadcast>();
  /** Emits once when stopping begins: no more accepting, no heartbeat, no new work. */
  private readonly stopping$ = new ReplaySubject<void>(1);
  /** Emits once when stopped: the pipeline and the broadcast subject end. */
  private readonly stopped$ = new ReplaySubject<void>(1);
  private inbox: Inbox<ClientMessage> | undefined;
  /** Edges attached beside the transport's own (`attach`), started. */
  private readonly attached: Edge[] = [];
  private serving = false;
  /** Whether start() has resolved: readiness begins there. */
  private started = false;
  /** With a `cluster`: whether its bus is connected, as its status last said. */
  private busConnected = true;
  /** The log's subscription to the server's streams, from the first `start()` or `attach()`. */
  private logging: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  /** Each client as it connects (hot). */
  readonly connections$: Observable<ClientConnection>;
  /** Each client as it goes away for good, with its close code (hot). */
  readonly disconnections$: Observable<Disconnection>;
  /** Every accepted message from every client (hot). Bad frames never appear here. */
  readonly messages$: Observable<ClientMessage> = this.messagesSubject.asObservable();
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
    this.sessions =
      resume &&
      new SessionHost(
        resume,
        scheduler,
        (client, info) => this.peers.finish(client, info),
        (error) => this.peers.report(error),
      );
    this.peers = new Peers({
      scheduler,
      maxClients: resolved.maxClients,
      maxMessageSize: resolved.maxMessageSize,
      stopGraceMs: resolved.stopGraceMs,
      outbound: outboundPolicy(resolved.slowConsumer, scheduler, (event) => this.slowConsumerSubject.next(event)),
      sessions: this.sessions,
      isStopping: () => this.stopping !== undefined,
      requestKey: resolved.requestKey,
    });
    const routes = observabilityRoutes({
      health: resolved.health,
      metrics: resolved.metrics,
      isReady: () => this.ready,
      allowedHosts: resolved.allowedHosts,
      failed: (error) => resolved.logger.warn(`nexus-mcp: the metrics registry failed to render: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.dashboard = resolved.dashboard && new Dashboard(resolved.dashboard, () => watchServer(this, scheduler, () => this.peers.values()));
    const upgrades = this.dashboard?.upgrades;
    this.edge = resolved.edge ?? new WsEdge({ ...resolved, sessions: resume !== undefined, routes: firstRoute(routes, this.dashboard?.routes), upgrades });
    this.connections$ = this.peers.connections$;
    this.disconnections$ = this.peers.disconnections$;
    this.cluster = resolved.cluster && new ClusterLink(resolved.cluster, clusterHostOf(this.peers));
    this.cluster?.status$.pipe(takeUntil(this.stopped$)).subscribe((status) => (this.busConnected = status.kind !== 'disconnected'));
    if (this.cluster && resolved.cluster) this.sessions?.joinCluster(resumeClusterOf(this.cluster, resolved.cluster));
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
    return this.started && this.stopping === undefined && this.busConnected;
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
    if (!isSendableCloseCode(code)) throw new RangeError(`closeClient: ${code} is not a close code that may be sent`);
    if (Buffer.byteLength(reason) > 123) throw new RangeError('closeClient: the reason must be at most 123 bytes of UTF-8');
    const client = this.peers.get(id);
    client?.close(code, reason);
    return client !== undefined;
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
    if (!this.inbox) {
      const size = this.options.inboxSize;
      const overflow = new InboxOverflowError(`receiveMessage() buffer is full (${size}); dropping the oldest messages`);
      this.inbox = new Inbox<ClientMessage>(size, ({ client }) => this.peers.report(overflow, client.id), this.options.scheduler);
      if (this.stopping) this.inbox.close(new TransportStoppedError('The server transport is stopped'));
    }
    return this.inbox.take(timeoutMs);
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
    const broadcast: Broadcast = { message, reached: 0, failure: undefined };
    this.broadcasts.next(broadcast);
    if (broadcast.failure !== undefined) return Promise.reject(asError(broadcast.failure));
    if (broadcast.frame && this.cluster && !this.stopping) {
      this.sessions?.broadcastSent(broadcast.frame.text);
      this.cluster.broadcast(broadcast.frame);
    }
    return Promise.resolve(broadcast.reached);
  }

  /**
   * Sends one message to one client: on this node, or (with a `cluster`) on the node that holds it.
   * Resolves with 1 if it was sent (handed to the node holding the client), 0 if no node has it.
   */
  sendTo(clientId: string, message: JsonObject): Promise<number> {
    let data: string;
    try {
      data = serialize(message);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const local = this.peers.get(clientId);
    if (local || !this.cluster) return Promise.resolve(local?.write(data) === true ? 1 : 0);
    return this.cluster.sendToRemote(clientId, data);
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

  private serveOnce(): void {
    if (this.serving) return;
    this.serving = true;
    this.serve();
  }

  /** Builds what runs while the server serves: the message pipeline, the broadcast subject's writer, the heartbeat. */
  private serve(): void {
    const { options, peers } = this;
    this.logging = logServerEvents(this, options.logger, options.scheduler);
    this.dashboard?.start();
    const effects = pipelineEffects({
      errorReply: options.errorReply,
      binaryFrames: options.binaryFrames,
      maxInFlight: options.maxInFlight,
      report: (error, clientId) => peers.report(error, clientId),
      publish: (message) => this.publish(message),
      requestKey: options.requestKey,
    });
    const pipeline = serverPipeline(
      {
        scheduler: options.scheduler,
        messageRate: options.messageRate,
        handler: options.handler,
        maxInFlight: options.maxInFlight,
        startsWork: options.startsWork,
        isStopping: () => this.stopping !== undefined,
        calls: this.calls,
        report: (error) => peers.report(error),
      },
      effects,
    );
    peers.frames$.pipe(pipeline, takeUntil(this.stopped$)).subscribe((reply) => sendReply(reply, options.requestKey, effects.failed));
    this.broadcasts.pipe(takeUntil(this.stopped$)).subscribe(writeToEveryClient(() => peers.values()));
    if (options.heartbeat) {
      heartbeat(() => peers.values(), options.heartbeat, options.scheduler)
        .pipe(takeUntil(this.stopping$))
        .subscribe((client) => client.terminate());
    }
  }

  private publish(message: DecodedMessage<Connection>): void {
    this.messagesSubject.next(message);
    this.inbox?.push(message);
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
    this.inbox?.close(new TransportStoppedError('The server transport is stopped'));
    this.messagesSubject.complete();
    this.slowConsumerSubject.complete();
    this.broadcasts.complete();
    this.sessions?.complete();
    this.peers.complete();
    this.logging?.unsubscribe();
    if (this.starting) this.options.logger.info({ url: this.url }, 'nexus-mcp: stopped');
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new SerializationError(String(error));
}
