/**
 * nexus-mcp/transport: the WebSocket transport for JSON messages, with Observable state.
 * @packageDocumentation
 */
export { WebSocketServerTransport, type ClientMessage, type Disconnection } from './server-transport.js';
export {
  resolveServerOptions,
  defaultErrorReply,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_HEARTBEAT,
  DEFAULT_MAX_CLIENTS,
  type ServerTransportOptions,
  type ReplyProblem,
  type ReplyProblemKind,
} from './server-options.js';
export { ClientConnection, type ClientInfo, type UpgradeRequestInfo } from './client-connection.js';
export { readReceipt } from './read-receipt.js';
export { WebSocketClientTransport, type ClientState, type SessionOutcome } from './client-transport.js';
export {
  DEFAULT_RECONNECT,
  DEFAULT_QUEUE,
  type ClientTransportOptions,
  type ReconnectOptions,
} from './client-options.js';
export { type WebSocketLike, type WebSocketConstructor } from './client-socket.js';
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
  ResumeRefusedError,
  UpgradeRefusedError,
  HandshakeDroppedError,
  ServerFullError,
  RateLimitedError,
  OverloadedError,
  type TransportErrorEvent,
} from './errors.js';
export {
  allow,
  deny,
  bearerAuth,
  bearerToken,
  tokenSubprotocol,
  redactCredentials,
  DEFAULT_TOKEN_SOURCES,
  type AuthInfo,
  type Authenticate,
  type AuthOutcome,
  type BearerVerdict,
  type TokenSources,
  type UpgradeRequest,
} from './authenticate.js';
export { compileOriginAllowList, compileHostAllowList, sameHostOrLocalOrigin, isLocalHostname } from './origin-policy.js';
export { TokenBucket, KeyedTokenBuckets, type TokenBucketOptions } from './token-bucket.js';
export { MessageRateLimiter, DEFAULT_MESSAGE_RATE, type MessageRateOptions, type RateVerdict } from './message-rate-limit.js';
export { InFlightLimiter, DEFAULT_MAX_IN_FLIGHT } from './in-flight-limit.js';
export {
  DEFAULT_HIGH_WATERMARK,
  type SlowConsumerPolicy,
  type SlowConsumerOptions,
  type SlowConsumerEvent,
} from './slow-consumer.js';
export { DEFAULT_COMPRESSION, type CompressionOptions } from './compression.js';
export type { ServerTlsOptions } from './tls.js';
export { ofType, isType, type MessageOfType } from './of-type.js';
export {
  routeByType,
  type MessageHandler,
  type MessageHandlerMap,
  type HandlerResult,
} from './message-handler.js';
export { cutPeerText, quotePeerText, PEER_TEXT_LIMIT } from './quote-peer-text.js';
export { heartbeat, type HeartbeatOptions, type HeartbeatPeer } from './heartbeat.js';
export { fullJitterDelay, type BackoffOptions } from './backoff.js';
export { reconnect, type ReconnectPolicy } from './reconnect.js';
export { countReached, waitForCount } from './wait-for-count.js';
export { SendQueue, type SendQueueLimits } from './send-queue.js';
export type { CloseInfo } from './socket-events.js';
export type { Logger } from './logger.js';
export type { Resumption } from './server-transport.js';
export { InMemoryReplayStore, type ReplayStore, type ReplayEntry, type ReplayLimits } from './replay-log.js';
export { DEFAULT_RESUME, type ResumeOptions } from './session-resumption.js';
