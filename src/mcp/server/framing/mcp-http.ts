import { jsonRpcError, LifecycleMethod, type JsonObject } from '../../../protocol/index.js';
import type { StreamableHttpOptions } from '../../../transport/index.js';

/** The codes the official SDK's Streamable HTTP server answers its HTTP-level errors with. */
const SESSION_NOT_FOUND = -32001;
const HTTP_ERROR = -32000;

/**
 * What makes the transport's HTTP side MCP's Streamable HTTP: sessions named by `Mcp-Session-Id`,
 * opened by `initialize` (any other request without one is served statelessly, as the 2026-07-28
 * revision does), and errors in JSON-RPC, with the codes the official SDK's server uses.
 */
export const mcpStreamableHttp: StreamableHttpOptions = {
  sessionHeader: 'mcp-session-id',
  opensSession: (message: JsonObject) => message['method'] === LifecycleMethod.initialize && Object.hasOwn(message, 'id'),
  errorBody: (problem, message) => jsonRpcError(undefined, problem === 'session_not_found' ? SESSION_NOT_FOUND : HTTP_ERROR, message),
};
