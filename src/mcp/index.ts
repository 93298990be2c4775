/**
 * nexus-mcp/mcp: MCP (JSON-RPC 2.0) over the WebSocket transport: the server, the simple client,
 * and what their users declare and receive.
 *
 * What is here is the public surface, grouped and explicit; everything else under this folder is
 * internal and may change without notice.
 * @packageDocumentation
 */

// The server.
export { MCPServer } from './server/mcp-server.js';
export type { MCPServerOptions } from './server/mcp-server-options.js';
export { InMemoryMcpSessionStore, type McpSessionStore } from './server/sessions/session-store.js';
export { McpSessionStateCodec, parseState as parseMcpSessionState, type McpSessionState } from './server/sessions/session-state.js';
export type { SessionEvent, ServerErrorEvent } from './server/server-events.js';
export type { ToolCallEvent } from './server/methods/method-host.js';
export type { ToolCallWrapper, ToolCallInfo, ToolCallSettled } from './server/methods/tool-call-wrapper.js';
export type { HandlerContext } from './server/requests/handler-context.js';
export type { ClientRequestOptions } from './server/requests/client-requests.js';
export { mcpTransportOptions, jsonRpcErrorReply } from './server/framing/json-rpc-error-reply.js';

// What it serves.
export type {
  ToolDefinition,
  StructuredToolDefinition,
  ToolHandler,
  StructuredToolHandler,
  StructuredToolReply,
  ToolReply,
  ToolResultBody,
  ToolCallOutcome,
  RegisteredTool,
} from './registries/tool-registry.js';
export type { StructuredToolResult, StructuredToolError } from './registries/structured-result.js';
export {
  ResourceNotFoundError,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
  type ResourceReader,
  type ResourceTemplateReader,
  type ResourceReply,
  type RegisteredResource,
  type RegisteredResourceTemplate,
} from './registries/resource-registry.js';
export type { PromptDefinition, PromptHandler, PromptReply, RegisteredPrompt } from './registries/prompt-registry.js';
export type { Workflow, WorkflowOptions } from './registries/workflow.js';
export type { Completer, Completers, CompletionContext, CompletionReply } from './registries/completions.js';
export { toJsonSchema, described, type JsonSchema } from './registries/json-schema.js';

// The client.
export { SimpleMCPClient } from './client/simple-client.js';
export type { SimpleMCPClientOptions, RequestOptions, CallToolOptions, Progress, McpClientState } from './client/simple-client-options.js';
export type { StdioServerCommand } from './client/simple-client-options.js';
export type { SamplingHandler, ElicitationHandler, ElicitationOptions, RootsHandler, ServerRequestContext } from './client/client-handlers.js';

// Errors.
export {
  McpError,
  ToolError,
  ConnectionClosedError,
  RequestTimeoutError,
  ServerStoppingError,
  CancelledError,
  ClientRequestError,
  InputRequiredError,
  HttpStatusError,
  HttpAuthError,
  SessionNotFoundError,
} from './mcp-error.js';

// What handlers ask of clients, and clients answer.
export type {
  CreateMessageParams,
  CreateMessageResult,
  SamplingMessage,
  SamplingContent,
  ElicitParams,
  ElicitFormParams,
  ElicitUrlParams,
  ElicitField,
  ElicitResult,
  Root,
  ListRootsResult,
  InputRequest,
  InputRequiredResult,
  CompleteResult,
  PromptReference,
  ResourceTemplateReference,
} from '../protocol/index.js';
