import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { HandshakeDroppedError } from '../errors.js';
import { PendingHandshakes, type HandshakeLimits } from './pending-handshakes.js';
import { createTlsServer, type ServerTlsOptions } from './tls.js';

/** The http(s) server the transport listens on when it is not given one. */
export type Listener = HttpServer | HttpsServer;

export interface ListenerOptions extends HandshakeLimits {
  /** Serve https with these; plain http when `undefined`. */
  readonly tls: ServerTlsOptions | undefined;
}

/** What answers the requests that are not upgrades: Streamable HTTP, or 426 Upgrade Required. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

const openSockets = new WeakMap<Listener, Set<Socket>>();
const handshakes = new WeakMap<Listener, PendingHandshakes>();

/**
 * The transport's own listener: https with `tls` (and HTTP/2 when it has an HTTP side), plain
 * http otherwise. Requests that are not upgrades go to `onRequest`, or get 426 Upgrade Required. It remembers every TCP connection, including ones that never
 * send a request or never finish a TLS handshake, so that `dropConnections` can end them all; and
 * it closes those that take too long to get that far, or come too many at once from one address
 * (see `PendingHandshakes`), telling `onDropped`.
 */
export function createListener(
  options: ListenerOptions,
  onDropped: (error: HandshakeDroppedError) => void = () => undefined,
  onRequest?: RequestHandler,
): Listener {
  const { tls } = options;
  // With TLS and an HTTP side, HTTP/2 too (ALPN h2), HTTP/1.1 kept for WebSocket upgrades.
  const server = tls ? createTlsServer(tls, onRequest ?? upgradeRequired, onRequest !== undefined) : createServer(onRequest ?? upgradeRequired);
  const pending = new PendingHandshakes(options, (reason, address) =>
    onDropped(
      new HandshakeDroppedError(
        reason === 'timeout'
          ? `Closed a connection from ${address} that had not sent its request within ${options.handshakeTimeoutMs} ms (handshakeTimeoutMs)`
          : `Closed the oldest of ${options.maxPendingHandshakesPerAddress ?? 0} connections from ${address} still in their handshake (maxPendingHandshakesPerAddress)`,
        reason,
        address,
      ),
    ),
  );
  // Headers complete: a request (answered 426 and closed) or an upgrade (ws and the authenticate deadline take over).
  const headersDone = (request: IncomingMessage): void => pending.completed(request.socket);
  server.on('request', headersDone);
  server.on('upgrade', headersDone);
  const sockets = new Set<Socket>();
  // One listener for every socket (`this` is the socket): no closure and no once-wrapper per connection.
  const forget = function (this: Socket): void {
    sockets.delete(this);
  };
  // With TLS this is the TCP socket, before the TLS handshake: the deadline covers both.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', forget);
    pending.accepted(socket);
  });
  openSockets.set(server, sockets);
  handshakes.set(server, pending);
  return server;
}

/** How many connections the listener holds that are still in their handshake, from `address` or in all. */
export function pendingHandshakes(server: Listener, address?: string): number {
  return handshakes.get(server)?.count(address) ?? 0;
}

/** How many TCP connections the listener still holds on to: what `dropConnections` would end. */
export function trackedConnections(server: Listener): number {
  return openSockets.get(server)?.size ?? 0;
}

/** Stops accepting connections; resolves once every connection it had has closed (see `dropConnections`). */
export function stopListening(server: Listener): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Destroys whatever connections the listener still has. Call it once the WebSocket clients are
 * gone: what remains is plain HTTP, an idle connection, or a stalled handshake, none of which
 * should keep `stop()` waiting.
 */
export function dropConnections(server: Listener): void {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
}

function upgradeRequired(_request: IncomingMessage, response: ServerResponse): void {
  const body = 'Upgrade Required';
  response.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  response.end(body);
}

/** Why the listener could not start, in words that name the address. */
export function describeListenError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Cannot listen on ${host}:${port}: the port is already in use`;
  if (code === 'EACCES') return `Cannot listen on ${host}:${port}: permission denied`;
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${host}:${port}: the address is not available on this machine`;
  return `Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}
