import { jsonRpcError, JsonRpcErrorCode, RequestIdCodec, type JsonObject, type RequestId } from '../../../protocol/index.js';
import type { ReplyProblem, ServerTransportOptions } from '../../../transport/index.js';
import { requestKey } from '../../request-correlator.js';
import { mcpStreamableHttp } from './mcp-http.js';

/**
 * The transport's `errorReply` for MCP: bad frames are answered in JSON-RPC instead of the
 * transport's `{ type: 'error' }`. Invalid JSON gets -32700 and a non-object (an array, a batch, a
 * number) -32600, both without `id` since none could be read; a message with a `__proto__` key
 * -32600 with its id; a binary frame gets no reply because
 * MCP closes the connection with 1003; a failing handler gets -32603 with the request's id; a
 * request refused by the transport's message-rate limit, its in-flight cap or because it is stopping
 * gets -32010 (`data.reason`: `"rate_limited"`, `"overloaded"`, `"shutting_down"`).
 */
export function jsonRpcErrorReply(problem: ReplyProblem): JsonObject | undefined {
  switch (problem.kind) {
    case 'invalid_json':
      return jsonRpcError(undefined, JsonRpcErrorCode.ParseError, `Parse error: ${problem.message}`);
    case 'not_an_object':
      return jsonRpcError(undefined, JsonRpcErrorCode.InvalidRequest, `Invalid request: ${problem.message}`);
    case 'binary_frame':
      return undefined;
    case 'forbidden_key':
      return jsonRpcError(requestIdOf(problem.request), JsonRpcErrorCode.InvalidRequest, `Invalid request: ${problem.message}`);
    case 'handler_failed': {
      const id = requestIdOf(problem.request);
      return jsonRpcError(id, JsonRpcErrorCode.InternalError, 'Internal error');
    }
    case 'rate_limited':
    case 'overloaded':
    case 'shutting_down': {
      // Only a request can be answered; a refused notification or response gets nothing.
      const id = requestIdOf(problem.request);
      return id === undefined ? undefined : jsonRpcError(id, JsonRpcErrorCode.ServerBusy, problem.message, { reason: problem.kind });
    }
  }
}

function requestIdOf(request: JsonObject | undefined): RequestId | undefined {
  const id = request?.['id'];
  return typeof request?.['method'] === 'string' && RequestIdCodec.is(id) ? id : undefined;
}

/** The key of a JSON-RPC request (by its id, as the session's correlator keys ids); `undefined` for any other message. */
export function jsonRpcRequestKey(message: JsonObject): string | undefined {
  const id = message['id'];
  return isJsonRpcRequest(message) && RequestIdCodec.is(id) ? requestKey(id) : undefined;
}

/** A JSON-RPC request (a method and an id): the only message that starts work on an MCP server. */
export function isJsonRpcRequest(message: JsonObject): boolean {
  return typeof message['method'] === 'string' && Object.hasOwn(message, 'id');
}

/**
 * Transport options that make a `WebSocketServerTransport` speak MCP's framing: subprotocol `mcp`,
 * JSON-RPC error replies, binary frames closed with 1003, only requests counted as work (a
 * stopping server still takes the replies and cancellations that finish work already running), and
 * MCP's Streamable HTTP on the same port and path (`streamableHttp: false` after the spread to refuse it).
 * `MCPServer` builds its transport with them; spread them into a transport you build yourself for
 * `serveSdkServer`.
 *
 * @example new WebSocketServerTransport({ ...mcpTransportOptions, port: 3001 })
 */
export const mcpTransportOptions = {
  /** The subprotocol MCP over WebSocket uses. */
  protocols: ['mcp'],
  /** MCP has no binary messages: a binary frame closes its connection with 1003. */
  binaryFrames: 'close',
  /** Bad frames and refused requests are answered in JSON-RPC ({@link jsonRpcErrorReply}). */
  errorReply: jsonRpcErrorReply,
  /** Only requests count as work; replies and cancellations still pass while the server stops. */
  startsWork: isJsonRpcRequest,
  /** A request's key is its id: what ties replies, progress and the server's own requests to it (Streamable HTTP streams them on its response). */
  requestKey: jsonRpcRequestKey,
  /** MCP's Streamable HTTP beside WebSocket, on the same port and path: sessions by `Mcp-Session-Id`, opened by `initialize`, errors in JSON-RPC. */
  streamableHttp: mcpStreamableHttp,
} as const satisfies ServerTransportOptions;
