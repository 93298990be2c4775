/**
 * Real-socket helpers for integration tests: a server transport on 127.0.0.1 port 0, our client
 * transport with fast timings, and a plain `ws` client for when the raw wire matters. Everything
 * opened here is registered with `track`, so `afterEach(closeAll)` closes it.
 */
import { createServer, type Server } from 'node:net';
import { filter, firstValueFrom, ReplaySubject, skip, take, timeout, toArray, type Observable } from 'rxjs';
import { WebSocket, WebSocketServer, type ClientOptions, type RawData, type ServerOptions } from 'ws';
import {
  WebSocketClientTransport,
  WebSocketServerTransport,
  type ClientConnection,
  type ClientTransportOptions,
  type ServerTransportOptions,
} from '../../src/transport/index.js';
import { track } from './resources.js';

/** How long a test waits for something it expects before failing with a clear message, ms. */
export const EXPECT_WITHIN = 5000;

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** Starts a server transport on 127.0.0.1, port 0, quiet and without heartbeat unless asked. */
export async function startServer(options: ServerTransportOptions = {}): Promise<{ server: WebSocketServerTransport; url: string }> {
  const server = track(
    new WebSocketServerTransport({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 500, ...options }),
    (s) => s.stop(),
  );
  await server.start();
  const url = server.url;
  if (url === undefined) throw new Error('a started server has a url');
  return { server, url };
}

/**
 * The server's ws socket under one of its clients: for tests that must look at the wire itself
 * (negotiated extensions, bytes written). Reaches into internals on purpose.
 */
export function serverSocketOf(client: ClientConnection): WebSocket {
  return (client as unknown as { link: { socket: WebSocket } }).link.socket;
}

/** The port a started server transport listens on. */
export function portOf(server: WebSocketServerTransport): number {
  const port = server.address?.port;
  if (port === undefined) throw new Error('the server is not listening');
  return port;
}

/** Our client transport with short reconnect delays and no heartbeat unless asked; not started. */
export function createClient(url: string, options: ClientTransportOptions = {}): WebSocketClientTransport {
  return track(
    new WebSocketClientTransport(url, {
      heartbeat: false,
      reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 5 },
      ...options,
    }),
    (client) => client.stop(),
  );
}

/** A client transport, started. */
export async function startClient(url: string, options: ClientTransportOptions = {}): Promise<WebSocketClientTransport> {
  const client = createClient(url, options);
  await client.start();
  return client;
}

/**
 * A plain ws client that records every frame from the moment it is created, so nothing that
 * arrives right after the upgrade is missed; `next()` reads them in order.
 */
export class RawClient {
  private readonly frames = new ReplaySubject<{ data: RawData; isBinary: boolean }>();
  private read = 0;
  /** Resolves with the close code and reason once the socket has closed. */
  readonly closed: Promise<CloseEvent>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.frames.next({ data, isBinary }));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.frames.complete();
        resolve({ code, reason: reason.toString() });
      });
    });
    // Errors end in a close event; an unheard error event would crash the worker.
    socket.on('error', () => undefined);
  }

  /** Opens a connection and waits for the upgrade to succeed. */
  static async open(url: string, protocols?: string | string[], options?: ClientOptions): Promise<RawClient> {
    const client = RawClient.connect(url, protocols, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', resolve);
      client.socket.once('error', reject);
    });
    return client;
  }

  /** Starts connecting without waiting. */
  static connect(url: string, protocols?: string | string[], options?: ClientOptions): RawClient {
    return track(new RawClient(new WebSocket(url, protocols, options)), async (client) => {
      client.socket.terminate();
      await client.closed;
    });
  }

  /** The next text frame, parsed as JSON. */
  async next(): Promise<unknown> {
    const frame = await this.nextFrame();
    return JSON.parse(textOf(frame.data));
  }

  /** The next frame as received. */
  nextFrame(): Promise<{ data: RawData; isBinary: boolean }> {
    const index = this.read++;
    return firstValueFrom(this.frames.pipe(skip(index), take(1), within(`frame #${index}`)));
  }

  /** Sends a message as JSON text. */
  sendJson(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }
}

/** A received frame's payload as text (ws hands over a Buffer, an ArrayBuffer or fragments). */
export function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Fails with a readable error when a stream the test waits on stays silent. */
export function within<T>(what: string, ms = EXPECT_WITHIN): (source: Observable<T>) => Observable<T> {
  return timeout({ first: ms, with: () => Promise.reject(new Error(`Waited ${ms} ms for ${what}`)) });
}

/** The first value of `source$` that satisfies `predicate`. Subscribe before causing it. */
export function nextValue<T>(source$: Observable<T>, predicate: (value: T) => boolean = () => true, what = 'a value'): Promise<T> {
  return firstValueFrom(source$.pipe(filter(predicate), within(what)));
}

/** The first `count` values of `source$`. Subscribe before causing them. */
export function nextValues<T>(source$: Observable<T>, count: number, what = `${count} values`): Promise<T[]> {
  return firstValueFrom(source$.pipe(take(count), toArray(), within(what)));
}

/** A plain ws server on 127.0.0.1, port 0: for testing the client against exactly what goes on the wire. */
export class RawServer {
  private readonly sockets = new ReplaySubject<RawClient>();
  private accepted = 0;

  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (socket) => this.sockets.next(new RawClient(socket)));
  }

  static async start(options: Omit<ServerOptions, 'host' | 'port'> = {}): Promise<RawServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return track(new RawServer(wss), (server) => server.close());
  }

  get url(): string {
    const address = this.wss.address();
    if (typeof address === 'string' || address === null) throw new Error('a TCP server has a port');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** The server side of the next connection, in the order they came. */
  nextConnection(): Promise<RawClient> {
    const index = this.accepted++;
    return firstValueFrom(this.sockets.pipe(skip(index), take(1), within(`connection #${index}`)));
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.sockets.complete();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve, reject) => probe.close((error) => (error ? reject(error) : resolve())));
  if (address === null || typeof address === 'string') throw new Error('a TCP server has a port');
  return address.port;
}
