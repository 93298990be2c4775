/**
 * nexus-mcp/mcp: MCP (JSON-RPC 2.0) over the WebSocket transport: the server, the simple client,
 * and what their users declare and receive.
 *
 * What is here is the public surface, grouped and explicit; everything else under this folder is
 * internal and may change without notice.
 * @packageDocumentation
 */

// The server.
export { MCPServer, type MCPServerOptions } from './server/mcp-server.js';
export type { SessionEvent, ServerErrorEvent } from './server/server-core.js';
export type { ToolCallEvent } from './server/method-host.js';
export type { HandlerContext } from './server/handler-context.js';
export { mcpTransportOptions, jsonRpcErrorReply } from './server/json-rpc-error-reply.js';

// What it serves.
export type {
  ToolDefinition,
  StructuredToolDefinition,
  ToolHandler,
  StructuredToolHandler,
  ToolReply,
  ToolResultBody,
  ToolCallOutcome,
  RegisteredTool,
} from './registries/tool-registry.js';
export {
  ResourceNotFoundError,
  type ResourceDefinition,
  type ResourceReader,
  type ResourceTemplateReader,
  type ResourceReply,
  type RegisteredResource,
  type RegisteredResourceTemplate,
} from './registries/resource-registry.js';
export type { PromptDefinition, PromptHandler, PromptReply, RegisteredPrompt } from './registries/prompt-registry.js';
export type { Workflow, WorkflowOptions } from './registries/workflow.js';
export { toJsonSchema, described, type JsonSchema } from './registries/json-schema.js';

// The client.
export { SimpleMCPClient } from './client/simple-client.js';
export type { SimpleMCPClientOptions, RequestOptions, CallToolOptions, Progress, McpClientState } from './client/simple-client-options.js';

// Errors.
export { McpError, ToolError, ConnectionClosedError, RequestTimeoutError, ServerStoppingError, CancelledError } from './mcp-error.js';
