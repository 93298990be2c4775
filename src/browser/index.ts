/**
 * nexus-mcp/browser: what a web page needs to speak to a nexus-mcp server — the WebSocket client
 * transport and `SimpleMCPClient` on the native `WebSocket`, the token subprotocol helper, close
 * codes, errors and the MCP types. Nothing here imports ws, a Node built-in or server code;
 * bundlers pick this module for `nexus-mcp`, `nexus-mcp/mcp` and `nexus-mcp/transport` through the
 * `browser` export condition.
 * @see docs/browser.md
 * @packageDocumentation
 */

// The clients.
export { SimpleMCPClient } from './simple-client.js';
export { WebSocketClientTransport } from './client-transport.js';
export type { SimpleMCPClientOptions, RequestOptions, CallToolOptions, Progress, McpClientState } from '../mcp/client/simple-client-options.js';
export type { SamplingHandler, ElicitationHandler, ElicitationOptions, RootsHandler, ServerRequestContext } from '../mcp/client/client-handlers.js';
export type { ClientState } from '../transport/client/client-core.js';
export type { SessionOutcome } from '../transport/client/client-session.js';
export type { ClientTransportOptions, ReconnectOptions } from '../transport/client/client-options.js';
export type { WebSocketLike, WebSocketConstructor } from '../transport/client/client-socket.js';
export type { SendQueueLimits } from '../transport/client/send-queue.js';
export type { ReconnectPolicy } from '../transport/operators/reconnect.js';

// Credentials and messages.
export { tokenSubprotocol } from '../transport/security/token-subprotocol.js';
export { ofType, isType, type MessageOfType } from '../transport/operators/of-type.js';

// Close codes and errors.
export { CloseCode, classifyCloseCode, type CloseDisposition } from '../transport/close-codes.js';
export {
  TransportError,
  NotConnectedError,
  QueueFullError,
  QueueExpiredError,
  TransportStoppedError,
  ConnectionFailedError,
  ReceiveTimeoutError,
  MessageTooLargeError,
  InvalidFrameError,
  HandlerError,
  SocketError,
  InboxOverflowError,
  SerializationError,
  SessionExpiredError,
} from '../transport/errors.js';
export {
  McpError,
  ConnectionClosedError,
  RequestTimeoutError,
  CancelledError,
  ClientRequestError,
  HttpStatusError,
  HttpAuthError,
  SessionNotFoundError,
} from '../mcp/mcp-error.js';

// MCP types.
export { JsonRpcErrorCode } from '../protocol/index.js';
export type {
  JsonObject,
  JsonValue,
  CallToolResult,
  Tool,
  Resource,
  Prompt,
  ContentBlock,
  Implementation,
  InitializeResult,
  JsonRpcNotification,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  Root,
  CompleteResult,
  PromptReference,
  ResourceTemplateReference,
} from '../protocol/index.js';
