/**
 * nexus-mcp/mcp: MCP (JSON-RPC 2.0) over the WebSocket transport — the server, the simple client,
 * and the pieces they are built from.
 * @packageDocumentation
 */
export { MCPServer, type MCPServerOptions } from './mcp-server.js';
export { ServerStoppingError, type SessionEvent, type ServerErrorEvent } from './server-core.js';
export type { ToolCallEvent } from './method-host.js';
export type { HandlerContext } from './handler-context.js';
export {
  type ToolDefinition,
  type StructuredToolDefinition,
  type ToolHandler,
  type StructuredToolHandler,
  type ToolReply,
  type ToolResultBody,
  type ToolCallOutcome,
  type RegisteredTool,
} from './tool-registry.js';
export {
  ResourceNotFoundError,
  type ResourceDefinition,
  type ResourceReader,
  type ResourceTemplateReader,
  type ResourceReply,
  type RegisteredResource,
  type RegisteredResourceTemplate,
} from './resource-registry.js';
export { type PromptDefinition, type PromptHandler, type PromptReply, type RegisteredPrompt } from './prompt-registry.js';
export { type Workflow, type WorkflowOptions } from './workflow.js';
export { McpError, ToolError, ConnectionClosedError, RequestTimeoutError } from './mcp-error.js';
export { toJsonSchema, toObjectSchema, described, type JsonSchema } from './json-schema.js';
export { describeErrors } from './describe-errors.js';
export { jsonRpcErrorReply, mcpTransportOptions } from './json-rpc-error-reply.js';
export { RequestCorrelator, type OutgoingRequest } from './request-correlator.js';
export { parseUriTemplate, type UriTemplate } from './uri-template.js';
export { CancelledError, type McpPeer, type RequestEra } from './session.js';
export { SimpleMCPClient } from './simple-client.js';
export {
  type SimpleMCPClientOptions,
  type RequestOptions,
  type CallToolOptions,
  type Progress,
  type McpClientState,
} from './simple-client-options.js';
export { transportChannel, plainWsChannel, type ClientChannel } from './client-channel.js';
