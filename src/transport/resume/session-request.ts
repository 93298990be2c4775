import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_HEADER, SESSION_QUERY_PARAMETER, SESSION_SUBPROTOCOL_PREFIX } from '../../protocol/session-frame.js';

/** What a client asked for on its upgrade request. */
export type SessionRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'new' }
  | { readonly kind: 'resume'; readonly token: string; readonly received: number };

const NONE: SessionRequest = { kind: 'none' };
const NEW: SessionRequest = { kind: 'new' };
const TOKEN = /^[0-9a-f]{32}$/;
const COUNT = /^\d{1,15}$/;

/** `new`, or a resume as `<token><separator><count>`; a malformed value asks for a new session. */
function parseValue(value: string, separator: string): SessionRequest {
  if (value === 'new') return NEW;
  const at = value.indexOf(separator);
  const token = value.slice(0, at);
  const count = value.slice(at + 1);
  if (at < 0 || !TOKEN.test(token) || !COUNT.test(count)) return NEW;
  return { kind: 'resume', token, received: Number(count) };
}

/**
 * Reads the session request of an upgrade: the `nexus-session` header, else a `nexus-session.…`
 * subprotocol entry, else the `nexus_session` query parameter.
 */
export function sessionRequestOf(request: { readonly url?: string | undefined; readonly headers: IncomingHttpHeaders }): SessionRequest {
  const header = request.headers[SESSION_HEADER];
  if (typeof header === 'string') return parseValue(header.trim(), ':');
  for (const entry of offeredProtocols(request.headers)) {
    if (entry.startsWith(SESSION_SUBPROTOCOL_PREFIX)) return parseValue(entry.slice(SESSION_SUBPROTOCOL_PREFIX.length), '.');
  }
  const url = request.url ?? '';
  const queryAt = url.indexOf('?');
  if (queryAt < 0 || !url.includes(SESSION_QUERY_PARAMETER, queryAt)) return NONE;
  const value = new URLSearchParams(url.slice(queryAt + 1)).get(SESSION_QUERY_PARAMETER);
  return value === null ? NONE : parseValue(value, ':');
}

/** Where a client puts its session request on one connection attempt. */
export interface SessionRequestCarrier {
  readonly url: string;
  readonly protocols: string[] | undefined;
  readonly headers: Record<string, string> | undefined;
}

/**
 * Puts a client's session request on an upgrade: in a header when the WebSocket implementation
 * takes headers (ws), else as a subprotocol entry when the client offers other subprotocols (the
 * server echoes one of those, never this one), else in the query string.
 */
export function carrySessionRequest(
  url: string,
  protocols: readonly string[],
  canSetHeaders: boolean,
  token: string | undefined,
  received: number,
): SessionRequestCarrier {
  const offered = protocols.length === 0 ? undefined : [...protocols];
  if (canSetHeaders) return { url, protocols: offered, headers: { [SESSION_HEADER]: token === undefined ? 'new' : `${token}:${received}` } };
  if (offered) {
    const entry = SESSION_SUBPROTOCOL_PREFIX + (token === undefined ? 'new' : `${token}.${received}`);
    return { url, protocols: [...offered, entry], headers: undefined };
  }
  const withQuery = new URL(url);
  withQuery.searchParams.set(SESSION_QUERY_PARAMETER, token === undefined ? 'new' : `${token}:${received}`);
  return { url: withQuery.toString(), protocols: undefined, headers: undefined };
}

/** The upgrade URL without the session parameter. */
export function withoutSessionQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0 || !url.includes(SESSION_QUERY_PARAMETER, at)) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  query.delete(SESSION_QUERY_PARAMETER);
  const rest = query.toString();
  return rest === '' ? url.slice(0, at) : `${url.slice(0, at)}?${rest}`;
}

/** The upgrade headers without the session header and subprotocol entry. */
export function withoutSessionHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const offered = headers['sec-websocket-protocol'];
  const carriesEntry = offered?.includes(SESSION_SUBPROTOCOL_PREFIX) === true;
  if (headers[SESSION_HEADER] === undefined && !carriesEntry) return headers;
  const { [SESSION_HEADER]: _session, ...kept } = headers;
  if (carriesEntry) {
    const rest = offeredProtocols(headers).filter((entry) => !entry.startsWith(SESSION_SUBPROTOCOL_PREFIX));
    if (rest.length === 0) delete kept['sec-websocket-protocol'];
    else kept['sec-websocket-protocol'] = rest.join(', ');
  }
  return kept;
}

/**
 * The upgrade request as the application may see it (`client.request`, the `authenticate` hook):
 * the session token is the transport's own, and a credential, wherever it travelled.
 */
export function withoutSessionRequest<R extends { readonly url: string; readonly headers: IncomingHttpHeaders }>(request: R): R {
  return { ...request, url: withoutSessionQuery(request.url), headers: withoutSessionHeaders(request.headers) };
}

function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const offered = headers['sec-websocket-protocol'];
  if (offered === undefined) return [];
  return offered
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
