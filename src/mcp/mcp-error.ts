import { JsonRpcErrorCode, type JsonRpcErrorObject } from '../protocol/index.js';
import { cutPeerText } from '../transport/security/quote-peer-text.js';

/**
 * A JSON-RPC error as a value: thrown by server handlers to answer with `{ code, message, data }`,
 * and what the client rejects with when the server answered with an error.
 *
 * @example
 * try { await client.callTool('nope', {}); } catch (e) { if (e instanceof McpError && e.code === -32602) … }
 */
export class McpError extends Error {
  constructor(
    /** The JSON-RPC error code (see `JsonRpcErrorCode`). */
    readonly code: number,
    message: string,
    /** Whatever the sender attached; `undefined` when nothing. */
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The error object to put on the wire. */
  toJsonRpc(): JsonRpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }

  /** An error object from the wire, as an `McpError` (always the base class, whichever class it is called on). */
  static fromJsonRpc(error: JsonRpcErrorObject): McpError {
    return new McpError(error.code, error.message, error.data);
  }

  /** -32602: the request's params are wrong (an unknown tool or prompt, invalid arguments). */
  static invalidParams(message: string, data?: unknown): McpError {
    return new McpError(JsonRpcErrorCode.InvalidParams, message, data);
  }

  /** -32601: the method goes in `data.method`, cut to 128 characters; the message does not repeat it. */
  static methodNotFound(method: string, why = 'Method not found'): McpError {
    return new McpError(JsonRpcErrorCode.MethodNotFound, why, { method: cutPeerText(method) });
  }

  /** -32600: the request is not valid here (a method before `initialize`, a second `initialize`). */
  static invalidRequest(message: string): McpError {
    return new McpError(JsonRpcErrorCode.InvalidRequest, message);
  }
}

/** Client side: the connection dropped or was closed while a request waited for its reply. */
export class ConnectionClosedError extends McpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(JsonRpcErrorCode.ConnectionClosed, message, undefined, options);
  }
}

/** Client side: no reply within the request's timeout (the server was sent `notifications/cancelled`). */
export class RequestTimeoutError extends McpError {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(JsonRpcErrorCode.RequestTimeout, message, { timeoutMs });
  }
}

/**
 * Client side, Streamable HTTP: the server answered an HTTP request with an error status that
 * carries no JSON-RPC error of its own (a 5xx, a 4xx with a body that is not JSON-RPC, an
 * unexpected content type), or the request could not be completed for an HTTP reason. The code
 * is -32000, as the SDK's Streamable HTTP server uses for HTTP-level errors; `status` is the HTTP
 * status (0 when the problem is not a status, e.g. an unexpected content type on a 200).
 */
export class HttpStatusError extends McpError {
  constructor(
    message: string,
    /** The HTTP status the server answered with, 0 when none applies. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(JsonRpcErrorCode.ConnectionClosed, message, { status }, options);
  }
}

/**
 * Client side, Streamable HTTP: the server refused the credentials (401) or what they allow (403).
 * The message names the status; nothing is retried: fix the token or the headers and connect again.
 */
export class HttpAuthError extends HttpStatusError {}

/**
 * Client side, Streamable HTTP: the server no longer knows the client's session (HTTP 404 on a
 * request that named it: the session expired, was ended, or the server restarted). Calls in flight
 * fail with it, as a dropped connection's do; `SimpleMCPClient` then initializes a new session once
 * by itself.
 */
export class SessionNotFoundError extends ConnectionClosedError {}

/**
 * Thrown by a tool handler to report a failure the model should see: its message is sent verbatim
 * in an `isError: true` result. Any other error is reported with a generic message (details stay on
 * the server's `errors$`), so internals never leak to clients.
 *
 * @example throw new ToolError(`No city named ${city}`);
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/** The server is stopping: what the signals of handlers still running at the end of the drain are aborted with. */
export class ServerStoppingError extends Error {
  override readonly name = 'ServerStoppingError';
}

/** Why a handler's signal was aborted because the client sent `notifications/cancelled`. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/**
 * A handler's request to the client (`ctx.sample`, `ctx.elicit`, `ctx.listRoots`) cannot be made or
 * was answered with something invalid: the client did not declare the capability it needs (-32021,
 * `data.requiredCapabilities`), or its answer does not fit what was asked (-32602). Escaping a
 * handler, it is the request's JSON-RPC error (for a tool too, not an `isError` result).
 */
export class ClientRequestError extends McpError {}

/**
 * 2026-07-28: what a handler's pending `ctx.sample`/`ctx.elicit`/`ctx.listRoots` rejects with (and
 * its signal is aborted with) once the request has been answered `input_required`: this run of the
 * handler is over, and the client's retry runs it again with the answers. Nothing to report.
 */
export class InputRequiredError extends Error {
  override readonly name = 'InputRequiredError';
}
