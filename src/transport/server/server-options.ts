import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { DEFAULT_HEARTBEAT, DEFAULT_MAX_MESSAGE_SIZE } from '../defaults.js';
import { perMessageDeflateOptions, type CompressionOptions, type DeflateSettings } from '../edges/compression.js';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { Edge } from '../edges/edge.js';
import type { StreamableHttpOptions } from '../edges/http/streamable-http.js';
import type { ServerTlsOptions } from '../edges/tls.js';
import type { HealthOptions, MetricsRouteOptions } from '../observability/http-routes.js';
import { resolveDashboard, type DashboardOptions, type ResolvedDashboard } from '../dashboard/dashboard-options.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../flow/in-flight.js';
import { resolveMessageRate, type MessageRateOptions } from '../flow/message-rate.js';
import type { MessageHandler } from '../flow/run-handlers.js';
import { resolveSlowConsumer, type SlowConsumerOptions } from '../flow/slow-consumer.js';
import { everyMessageStartsWork, type StartsWork } from '../flow/stopping.js';
import type { ConnectionRateOptions } from '../flow/rate-limit-store.js';
import { validateTokenBucket } from '../flow/token-bucket.js';
import { resolveHeartbeat, type HeartbeatOptions } from '../operators/heartbeat.js';
import { routeByType, type MessageHandlerMap } from '../operators/route-by-type.js';
import { InMemoryReplayStore, type ReplayStore } from '../resume/replay-log.js';
import type { SharedSessions } from '../resume/session-directory.js';
import { DEFAULT_RESUME, type ResumeOptions } from '../resume/session-resumption.js';
import type { Authenticate } from '../security/authenticate.js';
import type { ClientConnection } from './clients/client-connection.js';
import { defaultErrorReply, type ReplyProblem } from './pipeline/error-reply.js';
import { resolveLogger, type LoggerOption, type StructuredLogger } from './logging/logger.js';

/** Options of {@link WebSocketServerTransport}, all optional: where it listens, its handler, security, limits. */
export interface ServerTransportOptions {
  /** Address to bind. Default `'0.0.0.0'` (every interface; a warning says so at start). */
  host?: string;
  /** Port to listen on; `0` picks a free one (read it from `address` after `start()`). Default 3001. */
  port?: number;
  /** Accept upgrades only on this path. Default: any path. */
  path?: string;
  /** Attach to this http(s) server instead of listening; its `listen()` and `close()` stay yours. */
  server?: HttpServer | HttpsServer;
  /** One handler for every message, or handlers keyed by the message's `type`. */
  messageHandler?: MessageHandler<ClientConnection> | MessageHandlerMap<ClientConnection>;
  /** Largest message accepted, bytes; a larger one closes its connection with 1009. Default 10 MiB. */
  maxMessageSize?: number;
  /** Ping every client each `interval` ms; terminate one that has not ponged within `timeout` ms. `false` disables. Default `{ interval: 30000, timeout: 10000 }`. */
  heartbeat?: Partial<HeartbeatOptions> | false;
  /** Subprotocols the server accepts, preferred first; the first one a client offers is echoed. Default `['mcp']`. */
  protocols?: readonly string[];
  /** What a binary frame gets: an error reply (`'reject'`, default) or close 1003 (`'close'`). */
  binaryFrames?: 'reject' | 'close';
  /** How long `stop()` waits for clients to finish the close handshake before terminating them, ms. Default 3000. */
  stopGraceMs?: number;
  /** Messages `receiveMessage()` keeps for a reader that is not waiting yet; oldest dropped past it. Default 1000. */
  inboxSize?: number;
  /** Shapes error replies; return `undefined` to send none. Default `{ type: 'error', error, code }`. */
  errorReply?: (problem: ReplyProblem) => JsonObject | undefined;
  /**
   * Where the server logs (see docs/operations.md, Logging): a structured logger such as `pino()`,
   * or a message-only `{ warn, info }`; `false` silences it. Default: info and above to stderr.
   */
  logger?: LoggerOption | false;
  /** Time source for heartbeat and timeouts; tests pass a virtual one. */
  scheduler?: SchedulerLike;
  /**
   * Where clients come from. Default: a WebSocket listener built from the options here (`host`,
   * `port`, `path`, `server`, `tls` and the security options). Pass a `VirtualEdge` from
   * `nexus-mcp/testing` to run the whole server without sockets (in virtual time, too).
   */
  edge?: Edge;
  /**
   * The cluster this server is a node of ({@link ClusterBus}): broadcasts reach the clients of every
   * node, `sendTo` reaches a client on another node, and `clientCount$`, `getConnectedClients()`
   * and `waitForClients()` count every node's clients. Without it the server is a cluster of one.
   * `LocalCluster` joins servers in one process; `nexus-mcp/redis` joins processes.
   */
  cluster?: ClusterBus;
  /**
   * Which messages start work: only those are refused while `stop({ drainMs })` drains and count
   * against `maxInFlight`; others (say, replies to the server's own requests) always reach the
   * handler. Default every message.
   */
  startsWork?: (message: JsonObject) => boolean;
  /**
   * The key of a message that is a request expecting replies, `undefined` for any other message.
   * Replies and what `client.send(message, key)` marks are then tied to their request, which an edge
   * that answers each request on its own response (Streamable HTTP) needs. Default: none.
   */
  requestKey?: (message: JsonObject) => string | undefined;
  /**
   * Serve Streamable HTTP on the same port and path as WebSocket: what makes its sessions and
   * requests (`MCPServer` sets MCP's). Default none: requests that are not upgrades get 426.
   */
  streamableHttp?: StreamableHttpOptions | false;

  // Security (see docs/security.md)
  /**
   * Browser origins allowed to connect: exact (`'https://app.example.com'`), wildcard
   * (`'https://*.example.com'`, `'http://localhost:*'`), `'null'`, or `'*'` for any. A request
   * with an `Origin` not allowed is refused with 403 before the upgrade; a request without one
   * (a non-browser client) passes. Default: only origins whose host equals the request's `Host`
   * header, and local origins (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`, any port).
   */
  allowedOrigins?: readonly string[];
  /**
   * `Host` header values allowed (`'example.com'`, `'example.com:8443'`, `'*.example.com'`, `'*'`);
   * others are refused with 403. Default: when listening on a loopback address, local names only
   * (`localhost`, 127.0.0.0/8, `[::1]`, any port: blocks DNS rebinding); otherwise any.
   */
  allowedHosts?: readonly string[];
  /** Runs on every upgrade request before the socket is accepted: refuse with 401/403, or accept with a principal (`client.authInfo`). Default none. */
  authenticate?: Authenticate;
  /**
   * How long `authenticate` may take, ms. Past it the upgrade is answered 503, its socket closed,
   * the hook's `request.signal` aborted, and an `UpgradeRefusedError` (status 503) reported.
   * Default 10000.
   */
  authTimeoutMs?: number;
  /**
   * How long a TCP connection to the transport's own listener may take from accept until its
   * request headers are complete (with `tls`, the TLS handshake included), ms: an absolute
   * deadline, so a client trickling bytes (slowloris) is closed too. Ignored with `server` (see
   * docs/security.md for the Node settings to use there). Default 10000.
   */
  handshakeTimeoutMs?: number;
  /**
   * Most connections from one remote address still in their handshake (as for `handshakeTimeoutMs`)
   * on the transport's own listener; one more closes the oldest of them. Behind a proxy every
   * client shares its address: raise this, or `false` to disable. Ignored with `server`. Default 1024.
   */
  maxPendingHandshakesPerAddress?: number | false;
  /** Serve `wss://` on the transport's own listener. Ignored with `server` (bring an https server instead). Default none. */
  tls?: ServerTlsOptions;

  // Limits (see docs/operations.md)
  /** Most connected clients; one more is accepted and closed at once with 1013 (try again later). Default 10000. */
  maxClients?: number;
  /** New connections per remote address (token bucket); over it, HTTP 429 with `Retry-After`. With `store` (`RedisRateLimiter`), one bucket per address for the whole cluster. `false` disables. Default disabled (a proxy would put every client on one address). */
  connectionRate?: ConnectionRateOptions | false;
  /** The address connection rates are counted under. Default the TCP peer; behind a proxy you trust, read `X-Forwarded-For` here. */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  /** Messages per connection (token bucket): over it, an error reply `rate_limited`; past `maxRefusals` in `abuseWindowMs`, close 1008. `false` disables. Default `{ rate: 1000, burst: 2000, maxRefusals: 100, abuseWindowMs: 10000 }`. */
  messageRate?: Partial<MessageRateOptions> | false;
  /** Most `messageHandler` calls one connection may have unfinished; more get an error reply `overloaded`. `false` disables. Default 64. */
  maxInFlight?: number | false;
  /** Per-connection outbound watermarks on `bufferedAmount` and what to do above them. `false` disables. Default `{ highWatermark: 8 MiB, policy: 'disconnect' }` (close 1008). */
  slowConsumer?: Partial<SlowConsumerOptions> | false;
  /** permessage-deflate; `true` for the defaults. Decompressed size is capped by `maxMessageSize`. Default off. */
  compression?: boolean | CompressionOptions;
  /**
   * Session resumption for clients that ask for it (ours do by default): a client that drops and
   * comes back within `windowMs` keeps its id and gets the frames it missed, in order, from a
   * bounded replay log. `false` disables. Default `{ windowMs: 30000, liveCheckMs: 2000, maxMessages: 1000, maxBytes: 256 KiB, maxAgeMs: 30000 }`, in memory.
   * With `shared` (`redisSessions(…)` from `nexus-mcp/redis`) and a `cluster` whose bus keeps a log
   * (`RedisBus`), a client may resume on any node (see docs/scaling.md).
   */
  resume?: ResumeOptions | false;
  /** How long `stop()` lets unfinished handler calls finish before closing clients, ms. Default 0. */
  drainMs?: number;

  // Observability (see docs/observability.md)
  /**
   * `/healthz` (200 while serving) and `/readyz` (503 while `stop()` drains, or while the cluster
   * bus is disconnected) on the transport's own listener; `true` for those paths. With it, the
   * listener keeps answering these during the drain (upgrades get 503). Ignored with `server`
   * (read `transport.ready` there). Default off.
   */
  health?: HealthOptions | boolean;
  /**
   * Serve a metrics registry's text (a prom-client `Registry`; fill it with `collectMetrics` from
   * `nexus-mcp/metrics`) on the transport's own listener. Ignored with `server`. Default off.
   */
  metrics?: MetricsRouteOptions;
  /** A live admin page on the transport's own listener (docs/dashboard.md); `true` for the defaults. Ignored with `server`. Default off. */
  dashboard?: DashboardOptions | boolean;
}

export const DEFAULT_MAX_CLIENTS = 10_000;
export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS = 1024;

export { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_HEARTBEAT };

export interface ResolvedServerOptions {
  readonly edge: Edge | undefined;
  readonly cluster: ClusterBus | undefined;
  readonly startsWork: StartsWork;
  readonly requestKey: (message: JsonObject) => string | undefined;
  readonly streamableHttp: StreamableHttpOptions | undefined;
  /** Where HTTP streams keep their events: the resumption store, or one of the same bounds. */
  readonly eventStore: ReplayStore;
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly server: HttpServer | HttpsServer | undefined;
  readonly handler: MessageHandler<ClientConnection> | undefined;
  readonly maxMessageSize: number;
  readonly heartbeat: HeartbeatOptions | undefined;
  readonly protocols: readonly string[];
  readonly binaryFrames: 'reject' | 'close';
  readonly stopGraceMs: number;
  readonly inboxSize: number;
  readonly errorReply: (problem: ReplyProblem) => JsonObject | undefined;
  readonly logger: StructuredLogger;
  readonly scheduler: SchedulerLike;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly allowedHosts: readonly string[] | 'local' | undefined;
  readonly authenticate: Authenticate | undefined;
  readonly authTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingHandshakesPerAddress: number | undefined;
  readonly tls: ServerTlsOptions | undefined;
  readonly maxClients: number;
  readonly connectionRate: ConnectionRateOptions | undefined;
  readonly clientAddress: (request: IncomingMessage) => string | undefined;
  readonly messageRate: MessageRateOptions | undefined;
  readonly maxInFlight: number | undefined;
  readonly slowConsumer: SlowConsumerOptions | undefined;
  readonly resume: ResolvedResume | undefined;
  readonly drainMs: number;
  readonly health: HealthOptions | undefined;
  readonly metrics: MetricsRouteOptions | undefined;
  readonly dashboard: ResolvedDashboard | undefined;
  readonly perMessageDeflate: DeflateSettings | false;
}

export function resolveServerOptions(options: ServerTransportOptions): ResolvedServerOptions {
  const handler = options.messageHandler;
  const resume = resolveResume(options.resume);
  return {
    edge: options.edge,
    cluster: options.cluster,
    startsWork: options.startsWork ?? everyMessageStartsWork,
    requestKey: options.requestKey ?? noRequestKey,
    streamableHttp: options.streamableHttp === false ? undefined : options.streamableHttp,
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 3001,
    path: options.path,
    server: options.server,
    handler: typeof handler === 'function' ? handler : handler ? routeByType(handler) : undefined,
    maxMessageSize: positive('maxMessageSize', options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE),
    heartbeat: resolveHeartbeat(options.heartbeat, DEFAULT_HEARTBEAT),
    protocols: options.protocols ?? ['mcp'],
    binaryFrames: options.binaryFrames ?? 'reject',
    stopGraceMs: options.stopGraceMs ?? 3000,
    inboxSize: options.inboxSize ?? 1000,
    errorReply: options.errorReply ?? defaultErrorReply,
    logger: resolveLogger(options.logger),
    scheduler: options.scheduler ?? asyncScheduler,
    allowedOrigins: options.allowedOrigins,
    allowedHosts: options.allowedHosts ?? (options.server === undefined && isLoopbackHost(options.host ?? '0.0.0.0') ? 'local' : undefined),
    authenticate: options.authenticate,
    authTimeoutMs: positive('authTimeoutMs', options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS),
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS),
    maxPendingHandshakesPerAddress:
      options.maxPendingHandshakesPerAddress === false
        ? undefined
        : positive('maxPendingHandshakesPerAddress', options.maxPendingHandshakesPerAddress ?? DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS),
    tls: options.tls,
    maxClients: positive('maxClients', options.maxClients ?? DEFAULT_MAX_CLIENTS),
    connectionRate: options.connectionRate ? validateTokenBucket('connectionRate', options.connectionRate) : undefined,
    clientAddress: options.clientAddress ?? ((request) => request.socket.remoteAddress),
    messageRate: resolveMessageRate(options.messageRate),
    maxInFlight: options.maxInFlight === false ? undefined : positive('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
    slowConsumer: resolveSlowConsumer(options.slowConsumer),
    perMessageDeflate: perMessageDeflateOptions(options.compression),
    resume,
    eventStore: resume?.store ?? new InMemoryReplayStore(DEFAULT_RESUME),
    drainMs: options.drainMs ?? 0,
    health: options.health === true ? {} : options.health || undefined,
    metrics: options.metrics,
    dashboard: options.server === undefined ? resolveDashboard(options.dashboard) : undefined,
  };
}

export interface ResolvedResume {
  readonly windowMs: number;
  readonly liveCheckMs: number;
  readonly store: ReplayStore;
  readonly shared: SharedSessions | undefined;
}

function resolveResume(options: ResumeOptions | false | undefined): ResolvedResume | undefined {
  if (options === false) return undefined;
  const { store, shared, ...limits } = { ...DEFAULT_RESUME, ...options };
  for (const [name, value] of Object.entries(limits)) positive(`resume.${name}`, value);
  return { windowMs: limits.windowMs, liveCheckMs: limits.liveCheckMs, store: store ?? new InMemoryReplayStore(limits), shared };
}

const noRequestKey = (): undefined => undefined;

/** Addresses only this machine can reach. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
