import type { IncomingMessage } from 'node:http';
import { localHostHeader, parseOrigin } from '../security/origin-policy.js';
import type { ResolvedDashboard } from './dashboard-options.js';

/** Whether a request may see the dashboard, and if not, what it is told. */
export type Access = { readonly allowed: true } | { readonly allowed: false; readonly status: number; readonly body: string };

const ALLOWED: Access = { allowed: true };

const LOOPBACK_ONLY =
  'Forbidden: the dashboard answers only this machine (a loopback peer with a local Host header); ' +
  'give the dashboard option an authorize hook to open it to others';

/**
 * The dashboard's gate: the `authorize` hook when there is one (a throw counts as a no), otherwise
 * loopback peers naming a local `Host` (a page on another site that resolves its name to 127.0.0.1,
 * DNS rebinding, sends its own name and is refused).
 */
export async function accessOf(request: IncomingMessage, options: ResolvedDashboard): Promise<Access> {
  const { authorize } = options;
  if (!authorize) return isLoopbackPeer(request.socket.remoteAddress) && localHostHeader(request.headers.host) ? ALLOWED : { allowed: false, status: 403, body: LOOPBACK_ONLY };
  const allowed = await Promise.resolve()
    .then(() => authorize(request))
    .catch(() => false);
  return allowed ? ALLOWED : { allowed: false, status: 403, body: 'Forbidden: not authorized to see the dashboard' };
}

/**
 * The live socket's Origin rule: absent (not a browser), or the very origin the page was served
 * from. A browser sends cookies with a cross-site WebSocket, so without this any site could read
 * the feed of a signed-in operator (cross-site WebSocket hijacking).
 */
export function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const parsed = parseOrigin(origin);
  const host = request.headers.host;
  if (!parsed || host === undefined) return false;
  try {
    return new URL(`${parsed.scheme}//${host}`).host === parsed.host.toLowerCase();
  } catch {
    return false;
  }
}

/** 127.0.0.0/8, `::1`, and IPv4 loopback as an IPv6-mapped address. */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127(?:\.\d{1,3}){3}$/.test(v4);
}
