import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
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

/**
 * An https server, so the transport serves `wss://`; `onRequest` answers requests that are not
 * upgrades. With `http2`, an HTTP/2 server that also speaks HTTP/1.1 (ALPN `h2`, `http/1.1`): HTTP
 * requests may come over either, and WebSocket upgrades, an HTTP/1.1 feature, still work.
 */
export function createTlsServer(tls: ServerTlsOptions, onRequest: (request: IncomingMessage, response: ServerResponse) => void, http2 = false): HttpsServer {
  if (!http2) return createServer(tls, onRequest);
  // Its compatibility requests and responses have the members the HTTP side uses (see edges/http/exchange.ts).
  return createSecureServer({ ...tls, allowHTTP1: true }, onRequest as never) as unknown as HttpsServer;
}

/** Whether connections to `server` are encrypted, i.e. its URLs are `wss://`. */
export function isSecureServer(server: HttpServer | HttpsServer | undefined): boolean {
  return server instanceof TlsServer;
}
