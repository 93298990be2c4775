/**
 * nexus-mcp: a WebSocket transport for the Model Context Protocol.
 * @packageDocumentation
 */
export {
  WebSocketServerTransport,
  WebSocketClientTransport,
  ClientConnection,
  CloseCode,
  classifyCloseCode,
  ofType,
  isType,
  routeByType,
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
  type ServerTransportOptions,
  type ClientTransportOptions,
  type ClientMessage,
  type ClientInfo,
  type ClientState,
  type Disconnection,
  type MessageHandler,
  type MessageHandlerMap,
  type TransportErrorEvent,
} from './transport/index.js';
export type { JsonObject, JsonValue } from './protocol/index.js';
