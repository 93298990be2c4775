import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createTlsServer, type ServerTlsOptions } from './tls.js';

/** The http(s) server the transport listens on when it is not given one. */
export type Listener = HttpServer | HttpsServer;

const openSockets = new WeakMap<Listener, Set<Socket>>();

/**
 * The transport's own listener: https with `tls`, plain http otherwise. Requests that are not
 * upgrades get 426 Upgrade Required. It remembers every TCP connection, including ones that never
 * send a request or never finish a TLS handshake, so that `dropConnections` can end them all.
 */
export function createListener(tls: ServerTlsOptions | undefined): Listener {
  const server = tls ? createTlsServer(tls, upgradeRequired) : createServer(upgradeRequired);
  const sockets = new Set<Socket>();
  // One listener for every socket (`this` is the socket): no closure and no once-wrapper per connection.
  const forget = function (this: Socket): void {
    sockets.delete(this);
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', forget);
  });
  openSockets.set(server, sockets);
  return server;
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
