export { JsonObjectCodec, type JsonObject, type JsonValue } from './json-object.js';
export {
  TypedMessageCodec,
  ErrorReplyCodec,
  NotificationCodec,
  type TypedMessage,
  type ErrorReply,
  type Notification,
} from './envelope.js';
export { decodeTextFrame, frameError, type FrameError, type FrameErrorKind } from './frame.js';
export {
  JSONRPC_VERSION,
  JsonRpcErrorCode,
  RequestIdCodec,
  JsonRpcRequestCodec,
  JsonRpcNotificationCodec,
  JsonRpcResultResponseCodec,
  JsonRpcErrorResponseCodec,
  JsonRpcErrorObjectCodec,
  classifyMessage,
  isErrorResponse,
  jsonRpcRequest,
  jsonRpcNotification,
  jsonRpcResult,
  jsonRpcError,
  type RequestId,
  type JsonRpcRequest,
  type JsonRpcNotification,
  type JsonRpcResultResponse,
  type JsonRpcErrorResponse,
  type JsonRpcErrorObject,
  type JsonRpcResponse,
  type JsonRpcMessage,
  type InvalidEnvelope,
} from './jsonrpc.js';
export * from './mcp/lifecycle.js';
export * from './mcp/content.js';
export * from './mcp/pagination.js';
export * from './mcp/tools.js';
export * from './mcp/resources.js';
export * from './mcp/prompts.js';
export * from './mcp/subscriptions.js';
export * from './mcp/client-features.js';
export * from './mcp/completion.js';
export * from './mcp/input-required.js';
