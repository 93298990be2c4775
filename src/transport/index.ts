/**
 * nexus-mcp/transport: the WebSocket transport for JSON messages, with Observable state.
 *
 * What is here is the public surface, grouped and explicit; everything else under this folder is
 * internal and may change without notice.
 * @packageDocumentation
 */

// The server: one operator pipeline per server, fed by edges.
export { WebSocketServerTransport } from './server/server-transport.js';
export type { ClientMessage } from './server/messages/received-messages.js';
export type { ServerTransportOptions } from './server/server-options.js';
export type { HealthOptions, MetricsRouteOptions, MetricsSource } from './observability/http-routes.js';
export type { TrafficTotals } from './observability/traffic.js';
export type { DashboardOptions, DashboardPanel, DashboardEvent } from './dashboard/dashboard-options.js';
export type { ReplyProblem, ReplyProblemKind } from './server/pipeline/error-reply.js';
export type { ClientConnection, ClientInfo } from './server/clients/client-connection.js';
export type { Disconnection } from './server/clients/peers.js';
export { stderrLogger, type Logger, type StructuredLogger, type LoggerOption, type LogFn, type LogBindings, type LogLevel } from './server/logging/logger.js';
export type { Edge, EdgeHost, PeerArrival, PeerLink, EncodedFrame, CloseInfo, UpgradeRequestInfo, Related } from './edges/edge.js';
export type { CompressionOptions } from './edges/compression.js';
export type { ServerTlsOptions } from './edges/tls.js';
export type { StreamableHttpOptions, HttpProblem } from './edges/http/streamable-http.js';
export type { HttpSessionDirectory, DirectoryEntry } from './edges/http/session-directory.js';
export { StdioEdge, type StdioStreams, type StdioEdgeOptions } from './edges/stdio-edge.js';

// The client.
export { WebSocketClientTransport, type ClientState } from './client/client-transport.js';
export type { SessionOutcome } from './client/client-session.js';
export type { ClientTransportOptions, ReconnectOptions } from './client/client-options.js';
export type { WebSocketLike, WebSocketConstructor } from './client/client-socket.js';
export type { SendQueueLimits } from './client/send-queue.js';
export type { ReconnectPolicy } from './operators/reconnect.js';

// Messages: routing and handlers.
export { ofType, isType, type MessageOfType } from './operators/of-type.js';
export { routeByType, type MessageHandlerMap } from './operators/route-by-type.js';
export type { MessageHandler, HandlerResult } from './flow/run-handlers.js';
export { countReached } from './operators/wait-for-count.js';
export type { HeartbeatOptions } from './operators/heartbeat.js';

// Limits.
export type { MessageRateOptions } from './flow/message-rate.js';
export type { TokenBucketOptions } from './flow/token-bucket.js';
export type { ConnectionRateOptions, RateLimitStore, RateLimitTake, SharedLimitOptions } from './flow/rate-limit-store.js';
export type { SlowConsumerPolicy, SlowConsumerOptions, SlowConsumerEvent } from './flow/slow-consumer.js';

// Who may connect.
export {
  allow,
  deny,
  bearerAuth,
  bearerToken,
  type AuthInfo,
  type Authenticate,
  type AuthOutcome,
  type BearerVerdict,
  type TokenSources,
  type UpgradeRequest,
} from './security/authenticate.js';
export { tokenSubprotocol } from './security/token-subprotocol.js';
export { quotePeerText, cutPeerText, PEER_TEXT_LIMIT } from './security/quote-peer-text.js';

// Session resumption.
export { InMemoryReplayStore, type ReplayStore, type ReplayEntry, type ReplayLimits } from './resume/replay-log.js';
export type { ResumeOptions } from './resume/session-resumption.js';
export type { Resumption } from './resume/session-host.js';
export { InMemorySharedSessions } from './resume/in-memory-sessions.js';
export type {
  SessionDirectory,
  SessionRecord,
  SessionState,
  SessionLookup,
  NewSession,
  SharedReplayStore,
  SharedSessions,
  AppendResult,
} from './resume/session-directory.js';

// Clusters: many nodes of one service.
export type { ClusterBus, ClusterPresence, ClusterNode, BusEnvelope, BusStatus } from './cluster/cluster-bus.js';
export { comparePositions } from './cluster/cluster-bus.js';
export type { ClusterView } from './server/cluster-link.js';
export { LocalBus, LocalCluster } from './cluster/local-bus.js';

// Close codes and errors.
export { CloseCode, classifyCloseCode, type CloseDisposition } from './close-codes.js';
export {
  TransportError,
  NotConnectedError,
  QueueFullError,
  QueueExpiredError,
  TransportStoppedError,
  ConnectionFailedError,
  ReceiveTimeoutError,
  ServerStartError,
  MessageTooLargeError,
  InvalidFrameError,
  HandlerError,
  SocketError,
  InboxOverflowError,
  SerializationError,
  SessionExpiredError,
  ClusterError,
  ClientGoneError,
  ResumeRefusedError,
  UpgradeRefusedError,
  HandshakeDroppedError,
  ServerFullError,
  RateLimitedError,
  OverloadedError,
  type TransportErrorEvent,
} from './errors.js';
