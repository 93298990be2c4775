import type { IncomingHttpHeaders } from 'node:http';
import { of, Subject, type Observable } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import type { AuthInfo, CloseInfo, Edge, EdgeHost, PeerLink } from '../transport/index.js';

/** How a virtual client connects. Everything is optional. */
export interface VirtualConnectOptions {
  /** Default `'127.0.0.1'`. */
  readonly remoteAddress?: string;
  /** Default a new port per client, from 40000. */
  readonly remotePort?: number;
  /** The upgrade request's path and query. Default `'/'`. */
  readonly url?: string;
  readonly headers?: IncomingHttpHeaders;
  /** The negotiated subprotocol. Default `'mcp'`. */
  readonly protocol?: string;
  /** As if an `authenticate` hook had accepted it. */
  readonly authInfo?: AuthInfo;
  /** Answer the server's pings at once (default), or never (to see the heartbeat give up on it). */
  readonly autoPong?: boolean;
}

/**
 * The client side of one virtual connection: push frames to the server, read what the server
 * wrote, close with a code. Everything happens synchronously, so a test can drive it from marbles
 * inside `TestScheduler.run()`.
 */
export class VirtualClient {
  private readonly messagesSubject = new Subject<JsonObject>();
  private readonly closedSubject = new Subject<CloseInfo>();
  private closedWith: CloseInfo | undefined;
  /** Every message the server wrote to this client, parsed, in order. */
  readonly received: JsonObject[] = [];
  /** Each message the server writes to this client, parsed (hot). Completes when the connection closes. */
  readonly messages$: Observable<JsonObject> = this.messagesSubject.asObservable();
  /** Emits the close code and reason once the connection has closed (hot), then completes. */
  readonly closed$: Observable<CloseInfo> = this.closedSubject.asObservable();

  /** The server's handle for this client; `undefined` while connecting, or when it was turned away. */
  private peer: unknown;

  /** @internal */
  constructor(
    private readonly host: EdgeHost,
    private readonly link: VirtualLink,
  ) {}

  /** @internal the server accepted it */
  accepted(peer: unknown): void {
    this.peer = peer;
  }

  /** Whether the connection is still open (from either side). */
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /** How the connection closed; `undefined` while open. */
  get closeInfo(): CloseInfo | undefined {
    return this.closedWith;
  }

  /** Sends one text frame: an object as JSON, a string as it is (so tests can send what is not JSON). */
  send(message: JsonObject | string): void {
    if (!this.isOpen) throw new Error('This virtual client is closed');
    this.host.frame(this.peer, this.link, typeof message === 'string' ? message : JSON.stringify(message), false);
  }

  /** Sends one binary frame. */
  sendBinary(data: Uint8Array): void {
    if (!this.isOpen) throw new Error('This virtual client is closed');
    this.host.frame(this.peer, this.link, Buffer.from(data), true);
  }

  /** Closes from the client's side with `code` (default 1000): the server sees that code. */
  close(code = 1000, reason = ''): void {
    this.end({ code, reason });
  }

  /** The network drops: no close frame, the server sees 1006. */
  drop(): void {
    this.end({ code: 1006, reason: '' });
  }

  /** @internal what the server wrote */
  deliver(text: string): void {
    const message = JSON.parse(text) as JsonObject;
    this.received.push(message);
    this.messagesSubject.next(message);
  }

  /** @internal the connection ended, from either side */
  end(info: CloseInfo): void {
    if (this.closedWith) return;
    this.closedWith = info;
    this.link.open = false;
    if (this.peer !== undefined) this.host.left(this.peer, this.link, info);
    this.closedSubject.next(info);
    this.closedSubject.complete();
    this.messagesSubject.complete();
  }
}

/** The server's side of a virtual connection. */
class VirtualLink implements PeerLink {
  open = true;
  client: VirtualClient | undefined;
  /** The server's handle for the client on this link, once accepted. */
  peer: unknown;

  constructor(
    readonly protocol: string,
    private readonly autoPong: boolean,
    private readonly pong: (link: VirtualLink) => void,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  readonly bufferedAmount = 0;

  write(data: string | Buffer, written?: (error?: Error) => void): void {
    if (!this.open) {
      written?.(new Error('The virtual connection is closed'));
      return;
    }
    this.client?.deliver(typeof data === 'string' ? data : data.toString('utf8'));
    written?.();
  }

  close(code: number, reason: string): void {
    this.client?.end({ code, reason });
  }

  terminate(): void {
    this.client?.end({ code: 1006, reason: '' });
  }

  ping(): void {
    if (this.open && this.autoPong) this.pong(this);
  }

  readReceipt(): Observable<void> {
    // A virtual client reads everything the moment it is written.
    return of(undefined);
  }
}

/**
 * An edge without sockets, for tests: connect virtual clients to a server built with
 * `edge: new VirtualEdge()`, push frames, read what the server wrote, close with a code. The whole
 * server (its pipeline, handlers, routing, heartbeat, broadcasts, `clientCount$`, and an
 * `MCPServer`'s dispatch and cancellation) then runs inside `TestScheduler.run()` in virtual time.
 *
 * @example
 * const edge = new VirtualEdge();
 * const server = new WebSocketServerTransport({ edge, messageHandler: (m) => ({ echo: m }) });
 * void server.start();
 * const client = edge.connect();
 * client.send({ hello: 1 });
 * client.received; // [{ echo: { hello: 1 } }]
 * @see docs/testing.md
 */
export class VirtualEdge implements Edge {
  private host: EdgeHost | undefined;
  private accepting = false;
  private nextPort = 40_000;

  readonly url: string | undefined = undefined;

  start(host: EdgeHost): Promise<void> {
    this.host = host;
    this.accepting = true;
    return Promise.resolve();
  }

  stopAccepting(): Promise<void> {
    this.accepting = false;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Connects one virtual client, synchronously. Throws before the server has started or once it
   * is stopping. A client the server turns away (`maxClients`) comes back already closed (1013).
   */
  connect(options: VirtualConnectOptions = {}): VirtualClient {
    const host = this.host;
    if (!host || !this.accepting) throw new Error('The server is not accepting connections (start() it first; it is not stopping)');
    const link = new VirtualLink(options.protocol ?? 'mcp', options.autoPong ?? true, (from) => {
      if (from.peer !== undefined) host.pong(from.peer);
    });
    const client = new VirtualClient(host, link);
    link.client = client;
    const peer = host.arrive({
      link,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      remotePort: options.remotePort ?? (this.nextPort += 1),
      request: { url: options.url ?? '/', headers: options.headers ?? { host: 'virtual' } },
      authInfo: options.authInfo,
      session: { kind: 'none' },
    });
    if (peer !== undefined) {
      link.peer = peer;
      client.accepted(peer);
    }
    return client;
  }
}
