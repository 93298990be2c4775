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
  type ServerTransportOptions,
  type ReplyProblem,
  type ReplyProblemKind,
} from './server-options.js';
export { ClientConnection, type ClientInfo, type UpgradeRequestInfo } from './client-connection.js';
export { WebSocketClientTransport, type ClientState } from './client-transport.js';
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
  type TransportErrorEvent,
} from './errors.js';
export { ofType, isType, type MessageOfType } from './of-type.js';
export {
  routeByType,
  type MessageHandler,
  type MessageHandlerMap,
  type HandlerResult,
} from './message-handler.js';
export { heartbeat, type HeartbeatOptions, type HeartbeatPeer } from './heartbeat.js';
export { fullJitterDelay, type BackoffOptions } from './backoff.js';
export { reconnect, type ReconnectPolicy } from './reconnect.js';
export { countReached, waitForCount } from './wait-for-count.js';
export { SendQueue, type SendQueueLimits } from './send-queue.js';
export type { CloseInfo } from './socket-events.js';
export type { Logger } from './logger.js';
