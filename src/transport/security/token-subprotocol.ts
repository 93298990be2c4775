// The client's half of bearer tokens from browsers, apart from `authenticate.ts` (the server's
// half), so that a page importing it takes nothing of the server.

/**
 * The subprotocol entry that carries `token` from a browser, which cannot set headers on a
 * WebSocket upgrade: offer it after `'mcp'`. `bearerAuth` reads it (prefixes `bearer.` and `auth.`
 * by default) and the server never echoes it. The token must be an HTTP token (base64url or a JWT
 * is fine; `+`, `/` and `=` are not: the browser refuses them before connecting).
 *
 * @example
 * new WebSocketClientTransport(url, { protocols: ['mcp', tokenSubprotocol(token)] });
 */
export function tokenSubprotocol(token: string, prefix = 'bearer.'): string {
  return `${prefix}${token}`;
}
