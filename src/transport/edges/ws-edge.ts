import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { JsonObject } from '../../protocol/index.js';
import { SocketError } from '../errors.js';
import type { ReplayStore } from '../resume/replay-log.js';
import type { ReplyProblem } from '../server/pipeline/error-reply.js';
import type { StructuredLogger } from '../server/logging/logger.js';
import { sessionRequestOf, withoutSessionRequest } from '../resume/session-request.js';
import { redactCredentials } from '../security/authenticate.js';
import { UpgradeGuard, type UpgradeGuardOptions } from '../security/upgrade-guard.js';
import type { Edge, EdgeHost } from './edge.js';
import type { DeflateSettings } from './compression.js';
import { createListener, dropConnections, stopListening, type Listener, type ListenerOptions } from './listener.js';
import { respondText } from './http/exchange.js';
import { StreamableHttp, type StreamableHttpOptions } from './http/streamable-http.js';
import { isSecureServer } from './tls.js';
import type { HttpRoutes, UpgradeRoutes } from '../observability/http-routes.js';
import { WsLink } from './ws-link.js';

/** What the WebSocket edge is built from: where to listen, what to accept, and the upgrade checks. */
export interface WsEdgeOptions extends UpgradeGuardOptions, ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  /** Attach to this server instead of listening. */
  readonly server: HttpServer | HttpsServer | undefined;
  readonly maxMessageSize: number;
  /** Subprotocols accepted, preferred first. */
  readonly protocols: readonly string[];
  readonly perMessageDeflate: DeflateSettings | false;
  /** Whether sessions may be asked for (then resumes are vetted before the socket is accepted). */
  readonly sessions: boolean;
  readonly logger: StructuredLogger;
  /** Serve Streamable HTTP on the same port and path (POST, GET, DELETE); `undefined`: requests get 426. */
  readonly streamableHttp: StreamableHttpOptions | undefined;
  /** Where HTTP streams keep their events for `Last-Event-ID`. */
  readonly eventStore: ReplayStore;
  readonly errorReply: (problem: ReplyProblem) => JsonObject | undefined;
  /** Health and metrics, answered before anything else on the transport's own listener; they keep it open while stop() drains. */
  readonly routes?: HttpRoutes | undefined;
  /** Upgrades taken before the transport's own (the dashboard's live socket). */
  readonly upgrades?: UpgradeRoutes | undefined;
}

/** Headers that only carry the WebSocket handshake itself; its outcome is on the socket (`protocol`, `extensions`). */
const HANDSHAKE_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']);

/**
 * The upgrade request's headers, less the handshake's own: kept for the connection's whole life,
 * the random key and the version, upgrade and extension offers are ~200 bytes per idle connection
 * that nobody reads once the handshake is over.
 */
function withoutHandshakeHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (!HANDSHAKE_HEADERS.has(name)) kept[name] = headers[name];
  }
  return kept;
}

/**
 * The WebSocket edge: a ws server on the transport's own http(s) listener (or one you pass),
 * every upgrade checked by the {@link UpgradeGuard}, every accepted socket a peer of the pipeline.
 *
 * One set of listener functions serves every socket: an emitter calls a listener with `this` set
 * to itself, so the functions find the socket's link (and through it, the peer) without a closure
 * per socket. With 10k idle clients, per-socket closures and Observable chains were most of the
 * server's heap per connection (docs/benchmarks.md).
 */
export class WsEdge implements Edge {
  private readonly guard: UpgradeGuard;
  private readonly links = new WeakMap<WebSocket, WsLink>();
  /** Resumes vetted before their socket was accepted, by request. */
  private readonly vetted = new WeakMap<IncomingMessage, unknown>();
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onPong: (this: WebSocket) => void;
  private readonly onError: (this: WebSocket, error: Error) => void;
  private readonly onClose: (this: WebSocket, code: number, reason: Buffer) => void;
  private wss: WebSocketServer | undefined;
  private listener: Listener | undefined;
  /** Where upgrades arrive: the transport's own listener, or the server it was given. */
  private target: Listener | undefined;
  private listenerStopped: Promise<void> = Promise.resolve();
  private host: EdgeHost | undefined;
  private http: StreamableHttp | undefined;

  constructor(private readonly options: WsEdgeOptions) {
    this.guard = new UpgradeGuard(options, (error) => this.host?.report(error));
    // Each listener is called with `this` = its socket; the arrow functions reach the edge.
    const linkOf = (socket: WebSocket): WsLink | undefined => this.links.get(socket);
    const host = (): EdgeHost | undefined => this.host;
    this.onMessage = function (data, isBinary) {
      const link = linkOf(this);
      if (link) host()?.frame(link.peer, link, isBinary ? toBuffer(data) : rawDataToString(data), isBinary);
    };
    this.onPong = function () {
      const link = linkOf(this);
      if (link) host()?.pong(link.peer);
    };
    this.onError = function (error) {
      const link = linkOf(this);
      if (link) host()?.failed(link.peer, link, error);
    };
    this.onClose = function (code, reason) {
      const link = linkOf(this);
      if (link) host()?.left(link.peer, link, { code, reason: reason.toString() });
    };
  }

  get address(): AddressInfo | undefined {
    const address = this.wss && (this.options.server ?? this.listener)?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  get url(): string | undefined {
    return this.urlWith('ws');
  }

  /** `http://host:port/path` (`https://` with TLS) once started, when it serves Streamable HTTP. */
  get httpUrl(): string | undefined {
    return this.options.streamableHttp ? this.urlWith('http') : undefined;
  }

  private urlWith(scheme: 'ws' | 'http'): string | undefined {
    const address = this.address;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const secure = isSecureServer(this.options.server ?? this.listener) ? 's' : '';
    return `${scheme}${secure}://${host}:${address.port}${this.options.path ?? ''}`;
  }

  async start(host: EdgeHost): Promise<void> {
    this.host = host;
    const { server, port, maxMessageSize, protocols, path } = this.options;
    this.http = this.startHttp(host);
    const onRequest = (this.http || this.options.routes) && ((request: IncomingMessage, response: ServerResponse) => this.onHttp(request, response));
    // Our own listener rather than ws's, so stop() can end connections that never upgrade.
    const listener = server ? undefined : createListener(this.options, (error) => host.report(error), onRequest);
    const wss = new WebSocketServer({
      // Upgrades are routed here (onUpgrade), so that other routes (the dashboard) can come first.
      noServer: true,
      ...(path === undefined ? {} : { path }),
      // Also caps inflated size: ws stops decompressing a message once it passes maxPayload (1009).
      maxPayload: maxMessageSize,
      clientTracking: false,
      perMessageDeflate: this.options.perMessageDeflate,
      verifyClient: this.verifyClient,
      handleProtocols: (offered: Set<string>) => protocols.find((protocol) => offered.has(protocol)) ?? false,
    });
    this.wss = wss;
    this.listener = listener;
    const target = server ?? listener;
    if (!target) return;
    this.target = target;
    target.on('upgrade', this.onUpgrade);
    target.on('error', (error: Error) => host.report(new SocketError(`WebSocket server error: ${error.message}`, { cause: error })));
    if (!listener) return;
    listener.listen(port, this.options.host);
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once('listening', resolve);
        listener.once('error', reject);
      });
    } catch (error) {
      listener.off('upgrade', this.onUpgrade);
      wss.close();
      listener.close();
      this.wss = undefined;
      this.listener = undefined;
      throw error;
    }
    if (!isLoopback(this.options.host)) {
      this.options.logger.warn(
        `nexus-mcp: listening on ${this.options.host}:${this.address?.port ?? port}, reachable from other machines; ` +
          `pass host: '127.0.0.1' to serve this machine only`,
      );
    }
  }

  stopAccepting(): Promise<void> {
    this.http?.stopAccepting();
    const wss = this.wss;
    this.target?.off('upgrade', this.onUpgrade);
    // Resolves once the listener's last connection is gone, which close() hastens. With health
    // routes the listener stays open until close(), so a load balancer can read /readyz's 503.
    if (this.listener && this.options.routes) refuseUpgrades(this.listener);
    else this.listenerStopped = this.listener ? stopListening(this.listener) : Promise.resolve();
    return new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  }

  async close(): Promise<void> {
    if (this.listener && this.options.routes) this.listenerStopped = stopListening(this.listener);
    if (this.listener) dropConnections(this.listener);
    await this.listenerStopped;
  }

  /** The Streamable HTTP side, when asked for. */
  private startHttp(host: EdgeHost): StreamableHttp | undefined {
    const protocol = this.options.streamableHttp;
    if (!protocol) return undefined;
    const { maxMessageSize, errorReply, eventStore, scheduler, authenticate } = this.options;
    const eventLog = { store: eventStore, now: () => scheduler.now() };
    return new StreamableHttp({ protocol, guard: this.guard, maxMessageSize, errorReply, eventLog, scheduler, redact: authenticate !== undefined }, host);
  }

  /** A request that is not an upgrade: health and metrics; Streamable HTTP on the transport's path, 404 elsewhere; 426 without it. */
  private onHttp(request: IncomingMessage, response: ServerResponse): void {
    if (this.options.routes?.(request, response) === true) return;
    if (!this.http) {
      respondText(response, 426, 'Upgrade Required', { connection: 'close' });
      return;
    }
    const path = this.options.path;
    const url = request.url ?? '/';
    const pathname = url.split('?', 1)[0];
    if (path !== undefined && pathname !== path) {
      respondText(response, 404, 'Not Found');
      return;
    }
    this.http.handle(request, response);
  }

  /** Every upgrade on the listener: the other routes' first, then the transport's own (ws checks `path`). */
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.options.upgrades?.(request, socket, head) === true) return;
    this.wss?.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  };

  /** ws's `verifyClient`: the guard's checks, then (for a resume) the server's word on it. */
  private readonly verifyClient = (
    info: { origin: string; secure: boolean; req: IncomingMessage },
    callback: (verified: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void,
  ): void => {
    this.guard.verifyClient(info, (verified, ...refusal) => {
      const session = this.options.sessions && verified ? sessionRequestOf(info.req) : undefined;
      if (session?.kind !== 'resume' || !this.host) {
        callback(verified, ...refusal);
        return;
      }
      // vetResume never rejects: a resume it could not judge is judged again on arrival.
      void this.host.vetResume(session, this.guard.authInfoOf(info.req)).then((verdict) => {
        this.vetted.set(info.req, verdict);
        callback(true);
      });
    });
  };

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const host = this.host;
    if (!host) return;
    // ws throws on an 'error' event nobody hears; this one stays for the socket's whole life.
    socket.on('error', this.onError);
    const info = withoutSessionRequest({ url: request.url ?? '/', headers: withoutHandshakeHeaders(request.headers) });
    const link = new WsLink(socket, request.socket);
    const peer = host.arrive({
      link,
      remoteAddress: request.socket.remoteAddress,
      remotePort: request.socket.remotePort,
      limitAddress: this.guard.limitAddressOf(request),
      request: this.options.authenticate ? redactCredentials(info) : info,
      authInfo: this.guard.authInfoOf(request),
      session: this.options.sessions ? sessionRequestOf(request) : NO_SESSION,
      vetted: this.vetted.get(request),
    });
    if (peer === undefined) return; // turned away: the server has closed the link
    link.peer = peer;
    this.links.set(socket, link);
    socket.on('message', this.onMessage);
    socket.on('pong', this.onPong);
    socket.on('close', this.onClose);
  }
}

/** While stopping with the listener kept open: upgrades (ws has let go of them) get 503 and are closed. */
function refuseUpgrades(listener: Listener): void {
  listener.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}

/** Raw frame data as text: ws hands over a Buffer, an ArrayBuffer or fragments, by `binaryType`. */
function rawDataToString(data: RawData): string {
  return toBuffer(data).toString('utf8');
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const NO_SESSION = { kind: 'none' } as const;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
