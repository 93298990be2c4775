import { JsonObjectCodec } from '../../../protocol/index.js';
import { ConnectionClosedError, HttpAuthError, HttpStatusError, McpError } from '../../mcp-error.js';

/** How much of an error response's body is read: enough for any JSON-RPC error, never a flood. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** How much of a body that is not JSON-RPC an error message quotes. */
const QUOTE_LIMIT = 200;

/**
 * The typed error for an HTTP error response: 401 and 403 are `HttpAuthError`s naming the status;
 * a 4xx whose body is a JSON-RPC error is that error (an `McpError` with the server's code,
 * message and data); anything else is an `HttpStatusError` with the status and the start of the
 * body. A 404 on a known session is the caller's to tell apart (it means the session is gone).
 *
 * @param what what was asked, for the message: `"tools/call"`, `"the event stream"`.
 */
export async function failureOf(response: Response, what: string): Promise<McpError> {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  // Past the limit, or unreadable: no body to quote.
  const body = await readText(response, ERROR_BODY_LIMIT).catch(() => undefined);
  if (response.status === 401 || response.status === 403) {
    const challenge = response.headers.get('www-authenticate');
    const verb = response.status === 401 ? 'refused the credentials' : 'refused access';
    return new HttpAuthError(`${what}: the server ${verb} (${status})${challenge ? `; it asks for ${challenge}` : ''}`, response.status);
  }
  const error = body === undefined ? undefined : jsonRpcErrorIn(body);
  if (error && response.status >= 400 && response.status < 500) return new McpError(error.code, error.message, error.data);
  const detail = error ? error.message : body?.trim().slice(0, QUOTE_LIMIT);
  return new HttpStatusError(`${what}: the server answered ${status}${detail ? `: ${detail}` : ''}`, response.status);
}

/** What a failed `fetch` means: the request (or the stream it opened) did not get through. */
export function networkFailure(error: unknown, what: string): ConnectionClosedError {
  return new ConnectionClosedError(`${what}: ${describeNetworkError(error)}`, { cause: error });
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:3001`, rather than undici's bare `fetch failed`. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
}

/** The body as text, at most `limit` UTF-16 units; `undefined` past it (and the rest is not read). */
export async function readText(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return text + decoder.decode();
      text += decoder.decode(chunk.value, { stream: true });
      if (text.length > limit) return undefined;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** The `error` member of a JSON-RPC error response, if the text is one (its `id` may be `null`, as the SDK's server sends). */
function jsonRpcErrorIn(text: string): { code: number; message: string; data?: unknown } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!JsonObjectCodec.is(parsed)) return undefined;
  const error = parsed['error'];
  if (!JsonObjectCodec.is(error)) return undefined;
  const { code, message, data } = error;
  if (!Number.isInteger(code) || typeof message !== 'string') return undefined;
  return data === undefined ? { code: code as number, message } : { code: code as number, message, data };
}
