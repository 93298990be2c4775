import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer, type Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { Server as TlsServer } from 'node:tls';

/**
 * TLS for the server's own listener: a key and certificate (PEM strings or Buffers), plus any other
 * option of `https.createServer` (`ca`, `passphrase`, `minVersion`, `requestCert`, …).
 */
export type ServerTlsOptions = HttpsServerOptions & {
  readonly key: NonNullable<HttpsServerOptions['key']>;
  readonly cert: NonNullable<HttpsServerOptions['cert']>;
};

/** An https server, so the transport serves `wss://`; `onRequest` answers requests that are not upgrades. */
export function createTlsServer(tls: ServerTlsOptions, onRequest: (request: IncomingMessage, response: ServerResponse) => void): HttpsServer {
  return createServer(tls, onRequest);
}

/** Whether connections to `server` are encrypted, i.e. its URLs are `wss://`. */
export function isSecureServer(server: HttpServer | HttpsServer | undefined): boolean {
  return server instanceof TlsServer;
}
