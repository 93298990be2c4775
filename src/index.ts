/**
 * nexus-mcp: a WebSocket transport for the Model Context Protocol.
 *
 * The root gathers what most programs need: the MCP server and client, the transport's server and
 * client, routing helpers, close codes, and every error class a program can meet on an `errors$`
 * stream or in a rejection. The subpaths (`nexus-mcp/transport`, `nexus-mcp/mcp`, `nexus-mcp/sdk`,
 * `nexus-mcp/testing`) hold the rest.
 * @packageDocumentation
 */

// MCP.
export { MCPServer, SimpleMCPClient, mcpTransportOptions, toJsonSchema, described } from './mcp/index.js';
export type {
  MCPServerOptions,
  SimpleMCPClientOptions,
  CallToolOptions,
  RequestOptions,
  Progress,
  McpClientState,
  HandlerContext,
  ToolDefinition,
  StructuredToolDefinition,
  ToolReply,
  ToolResultBody,
  RegisteredTool,
  ResourceDefinition,
  RegisteredResource,
  RegisteredResourceTemplate,
  PromptDefinition,
  RegisteredPrompt,
  Workflow,
  SessionEvent,
  ToolCallEvent,
  ToolCallWrapper,
  ToolCallInfo,
  ToolCallSettled,
  ServerErrorEvent,
} from './mcp/index.js';
export { JsonRpcErrorCode } from './protocol/index.js';
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
} from './protocol/index.js';

// The transport.
export { WebSocketServerTransport, WebSocketClientTransport, CloseCode, classifyCloseCode, ofType, isType, routeByType } from './transport/index.js';
export type {
  ServerTransportOptions,
  ClientTransportOptions,
  ClientMessage,
  ClientConnection,
  ClientInfo,
  ClientState,
  Disconnection,
  MessageHandler,
  MessageHandlerMap,
  TransportErrorEvent,
} from './transport/index.js';

// Every error a program can meet.
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
} from './transport/index.js';
export {
  McpError,
  ToolError,
  ConnectionClosedError,
  RequestTimeoutError,
  ServerStoppingError,
  CancelledError,
  ResourceNotFoundError,
  ClientRequestError,
  InputRequiredError,
  HttpStatusError,
  HttpAuthError,
  SessionNotFoundError,
} from './mcp/index.js';
