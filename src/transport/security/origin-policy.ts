/**
 * Which browser origins and which `Host` names may open a connection. Pure functions over header
 * values; the upgrade guard applies them before the socket is accepted.
 *
 * Origin allow-list entries:
 * - `'https://app.example.com'`: exactly that origin (scheme, host and port; a default port may be
 *   written or left out).
 * - `'https://*.example.com'`: any subdomain of example.com, at any depth, over https on the
 *   default port (not example.com itself: list it too if you want it).
 * - `'http://localhost:*'`: any port.
 * - `'null'`: the opaque origin of sandboxed frames and `file:` pages (allowed only when listed).
 * - `'*'`: every origin (switches the check off).
 *
 * Host allow-list entries: `'example.com'` (any port), `'example.com:8443'` (that port only),
 * `'*.example.com'` (subdomains, any port), `'[::1]'`, `'*'` (any host).
 *
 * @see docs/security.md
 */

interface OriginPattern {
  readonly scheme: string;
  readonly host: string;
  readonly wildcardHost: boolean;
  /** `'*'`: any port; `''`: the scheme's default port; otherwise that port. */
  readonly port: string;
}

const defaultPorts: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

interface ParsedOrigin {
  readonly scheme: string;
  readonly hostname: string;
  readonly port: string;
  /** `hostname[:port]` as `URL.host` prints it (no default port). */
  readonly host: string;
}

/** An `Origin` header value as its parts, or `undefined` when it is not a `scheme://host[:port]` origin. */
export function parseOrigin(origin: string): ParsedOrigin | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.host === '' || url.origin === 'null') return undefined;
  return { scheme: url.protocol, hostname: url.hostname, port: url.port, host: url.host };
}

function parsePattern(pattern: string): OriginPattern {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?(\[[0-9a-f:.]+\]|[^:/[\]]+)(?::(\d+|\*))?\/?$/i.exec(pattern.trim());
  if (!match) throw new RangeError(`allowedOrigins: "${pattern}" is not an origin such as "https://app.example.com" or "https://*.example.com"`);
  const scheme = `${(match[1] ?? '').toLowerCase()}:`;
  const port = match[4] ?? '';
  return {
    scheme,
    host: (match[3] ?? '').toLowerCase(),
    wildcardHost: match[2] !== undefined,
    port: port === defaultPorts[scheme] ? '' : port,
  };
}

/** Compiles an origin allow-list once; throws a `RangeError` on an entry that is not an origin. */
export function compileOriginAllowList(entries: readonly string[]): (origin: string) => boolean {
  if (entries.includes('*')) return () => true;
  const allowNull = entries.includes('null');
  const patterns = entries.filter((entry) => entry !== 'null').map(parsePattern);
  return (origin) => {
    if (origin === 'null') return allowNull;
    const parsed = parseOrigin(origin);
    if (!parsed) return false;
    const hostname = parsed.hostname.toLowerCase();
    return patterns.some(
      (pattern) =>
        pattern.scheme === parsed.scheme &&
        (pattern.port === '*' || pattern.port === parsed.port) &&
        (pattern.wildcardHost ? hostname.endsWith(`.${pattern.host}`) : hostname === pattern.host),
    );
  };
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: names that only ever mean this machine. */
export function isLocalHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(name) ||
    name === '[::1]' ||
    name === '::1'
  );
}

/**
 * The default origin rule, used when no allow-list is configured: the origin's `host` (name and
 * port) equals the request's `Host` header, or the origin's hostname is local (see
 * {@link isLocalHostname}, any scheme and port).
 */
export function sameHostOrLocalOrigin(origin: string, hostHeader: string | undefined): boolean {
  const parsed = parseOrigin(origin);
  if (!parsed) return false;
  if (hostHeader !== undefined && parsed.host.toLowerCase() === normaliseHostHeader(hostHeader, parsed.scheme)) return true;
  return isLocalHostname(parsed.hostname);
}

/** `Host` lowercased with the scheme's default port removed, to compare with `URL.host`. */
function normaliseHostHeader(hostHeader: string, scheme: string): string {
  const host = hostHeader.trim().toLowerCase();
  const split = splitHost(host);
  if (split && split.port !== '' && split.port === defaultPorts[scheme]) return split.hostname;
  return host;
}

/** `Host` header value as hostname and port (`''` when absent); `undefined` when malformed. */
export function splitHost(hostHeader: string): { readonly hostname: string; readonly port: string } | undefined {
  const host = hostHeader.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host);
  if (!match) return undefined;
  return { hostname: match[1] ?? '', port: match[2] ?? '' };
}

/** Compiles a `Host` allow-list once; throws a `RangeError` on a malformed entry. */
export function compileHostAllowList(entries: readonly string[]): (hostHeader: string | undefined) => boolean {
  if (entries.includes('*')) return () => true;
  const patterns = entries.map((entry) => {
    const wildcard = entry.startsWith('*.');
    const split = splitHost(wildcard ? entry.slice(2) : entry);
    if (!split) throw new RangeError(`allowedHosts: "${entry}" is not a host such as "example.com", "example.com:8443" or "*.example.com"`);
    return { ...split, wildcard };
  });
  return (hostHeader) => {
    if (hostHeader === undefined) return false;
    const host = splitHost(hostHeader);
    if (!host) return false;
    return patterns.some(
      (pattern) =>
        (pattern.port === '' || pattern.port === host.port) &&
        (pattern.wildcard ? host.hostname.endsWith(`.${pattern.hostname}`) : host.hostname === pattern.hostname),
    );
  };
}

/** The `Host` names a server bound to a loopback address accepts by default: local names, any port. */
export function localHostHeader(hostHeader: string | undefined): boolean {
  const host = hostHeader === undefined ? undefined : splitHost(hostHeader);
  return host !== undefined && isLocalHostname(host.hostname);
}
