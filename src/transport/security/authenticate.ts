import { withoutSessionRequest } from '../resume/session-request.js';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * Who a connection belongs to, as the `authenticate` hook established it. Shaped like the MCP
 * SDK's `AuthInfo`, so the MCP layer can hand it on unchanged.
 */
export interface AuthInfo {
  /** The principal: a user, a service account, an OAuth client id. */
  readonly clientId: string;
  /** What the principal may do. */
  readonly scopes: readonly string[];
  /** The credential that proved it. Keep it only if handlers need to pass it on. */
  readonly token?: string;
  /** When the credential expires, seconds since the epoch. */
  readonly expiresAt?: number;
  /** Anything else the hook wants handlers to see. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The HTTP upgrade request as the `authenticate` hook sees it, before any socket exists. */
export interface UpgradeRequest {
  /** Path and query as sent, e.g. `/mcp?token=…`. */
  readonly url: string;
  /** The query string, parsed. */
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The subprotocols the client offered, in its order (`Sec-WebSocket-Protocol`). */
  readonly protocols: readonly string[];
  readonly origin: string | undefined;
  /** The TCP peer (a proxy's address when behind one). */
  readonly remoteAddress: string | undefined;
  /** Whether the connection came over TLS. */
  readonly secure: boolean;
  /** The raw Node request, for what the fields above leave out (client certificates, cookies). */
  readonly raw: IncomingMessage;
  /**
   * Aborted when the answer is no longer wanted: at the `authTimeoutMs` deadline (the client has
   * then been sent 503), or when the client closes the connection first. Pass it on to `fetch` or
   * your database client so their work stops too; an answer after it is ignored.
   */
  readonly signal: AbortSignal;
}

/** The hook's answer: accept with a principal, or refuse with 401 (who are you?) or 403 (not you). */
export type AuthOutcome =
  | { readonly ok: true; readonly authInfo: AuthInfo }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason?: string };

/**
 * Decides whether an upgrade request may become a connection. Runs before the socket is accepted;
 * a refusal becomes an HTTP 401/403 response. A hook that throws or rejects answers 500 (and the
 * error appears on the server's `errors$`), so a broken auth backend is never an open door. A hook
 * that has not answered within `authTimeoutMs` answers 503 and sees `request.signal` aborted.
 */
export type Authenticate = (request: UpgradeRequest) => AuthOutcome | Promise<AuthOutcome>;

/** Accepts the connection as `authInfo`. */
export const allow = (authInfo: AuthInfo): AuthOutcome => ({ ok: true, authInfo });

/** Refuses the connection: 401 when credentials are missing or invalid, 403 when they are valid but not enough. */
export const deny = (status: 401 | 403 = 401, reason?: string): AuthOutcome =>
  reason === undefined ? { ok: false, status } : { ok: false, status, reason };

/** Where a bearer token may travel. Browsers cannot set headers on a WebSocket upgrade, hence the other two. */
export interface TokenSources {
  /** Read `Authorization: Bearer <token>`. Default true. */
  readonly header: boolean;
  /** Query parameter holding the token, or `false`. Default `'token'`. */
  readonly queryParam: string | false;
  /** Subprotocol entries carrying the token as `<prefix><token>`. Default `['bearer.', 'auth.']`. Never echoed. */
  readonly subprotocolPrefixes: readonly string[];
}

export const DEFAULT_TOKEN_SOURCES: TokenSources = { header: true, queryParam: 'token', subprotocolPrefixes: ['bearer.', 'auth.'] };

/**
 * The bearer token of an upgrade request: from the `Authorization` header, else a subprotocol
 * entry such as `bearer.<token>`, else the query parameter. `undefined` when there is none.
 */
export function bearerToken(request: UpgradeRequest, sources: Partial<TokenSources> = {}): string | undefined {
  const { header, queryParam, subprotocolPrefixes } = { ...DEFAULT_TOKEN_SOURCES, ...sources };
  if (header) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
    if (match?.[1]) return match[1];
  }
  for (const offered of request.protocols) {
    const prefix = subprotocolPrefixes.find((candidate) => offered.startsWith(candidate));
    if (prefix !== undefined && offered.length > prefix.length) return offered.slice(prefix.length);
  }
  if (queryParam !== false) {
    const value = request.query.get(queryParam);
    if (value) return value;
  }
  return undefined;
}

/** What a bearer verifier answers: the principal, a full outcome (to answer 403), or `undefined` for an invalid token (401). */
export type BearerVerdict = AuthInfo | AuthOutcome | undefined;

/**
 * An `authenticate` hook for bearer tokens: finds the token (see {@link bearerToken}) and asks
 * `verify` who it belongs to. No token, or a token `verify` does not recognise, answers 401.
 *
 * @example
 * authenticate: bearerAuth(async (token) => {
 *   const session = await sessions.lookup(token);
 *   return session && { clientId: session.user, scopes: session.scopes };
 * })
 */
export function bearerAuth(
  verify: (token: string, request: UpgradeRequest) => BearerVerdict | Promise<BearerVerdict>,
  sources: Partial<TokenSources> = {},
): Authenticate {
  return async (request) => {
    const token = bearerToken(request, sources);
    if (token === undefined) return deny(401, 'Missing bearer token');
    const verdict = await verify(token, request);
    if (verdict === undefined) return deny(401, 'Invalid bearer token');
    return isAuthOutcome(verdict) ? verdict : allow(verdict);
  };
}

function isAuthOutcome(value: AuthInfo | AuthOutcome): value is AuthOutcome {
  return 'ok' in value && typeof value.ok === 'boolean';
}


const REDACTED = 'REDACTED';

/**
 * The request as kept on a connection (`ClientInfo.request`): credentials replaced by `REDACTED`
 * in `Authorization`, `Proxy-Authorization` and `Cookie`, in token subprotocol entries, and in
 * the token query parameter, so a connection snapshot is safe to log.
 */
export function redactCredentials(
  request: { readonly url: string; readonly headers: IncomingHttpHeaders },
  sources: TokenSources = DEFAULT_TOKEN_SOURCES,
): { readonly url: string; readonly headers: IncomingHttpHeaders } {
  const headers: IncomingHttpHeaders = { ...request.headers };
  for (const name of ['authorization', 'proxy-authorization', 'cookie'] as const) {
    if (headers[name] !== undefined) headers[name] = REDACTED;
  }
  const protocols = headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    headers['sec-websocket-protocol'] = protocols
      .split(',')
      .map((entry) => {
        const trimmed = entry.trim();
        const prefix = sources.subprotocolPrefixes.find((candidate) => trimmed.startsWith(candidate));
        return prefix === undefined ? trimmed : `${prefix}${REDACTED}`;
      })
      .join(', ');
  }
  return { url: redactQuery(request.url, sources.queryParam), headers };
}

function redactQuery(url: string, param: string | false): string {
  const queryStart = url.indexOf('?');
  if (param === false || queryStart === -1) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  if (!query.has(param)) return url;
  query.set(param, REDACTED);
  return `${url.slice(0, queryStart)}?${query.toString()}`;
}

/** The hook's view of a Node upgrade request; `signal` tells the hook when to give up. */
export function toUpgradeRequest(raw: IncomingMessage, signal: AbortSignal): UpgradeRequest {
  // The session request is the transport's own (and a credential): hooks never see it.
  const { url, headers } = withoutSessionRequest({ url: raw.url ?? '/', headers: raw.headers });
  const queryStart = url.indexOf('?');
  const offered = headers['sec-websocket-protocol'];
  return {
    url,
    query: new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)),
    headers,
    protocols: offered === undefined ? [] : offered.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''),
    origin: headers.origin,
    remoteAddress: raw.socket.remoteAddress,
    secure: 'encrypted' in raw.socket && raw.socket.encrypted === true,
    raw,
    signal,
  };
}
