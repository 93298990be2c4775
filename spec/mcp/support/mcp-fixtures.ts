/**
 * Real-socket fixtures for the MCP specs: an MCPServer on 127.0.0.1 port 0, and a raw ws client
 * that speaks JSON-RPC by hand when the exact wire matters. Everything opened here is registered,
 * so `afterEach(closeAll)` closes it.
 */
import { filter, firstValueFrom, ReplaySubject, timeout, type Observable } from 'rxjs';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { MCPServer, type MCPServerOptions } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';

/** How long a spec waits for what it expects before failing with a clear message, ms. */
export const EXPECT_WITHIN = 5000;

const cleanups: (() => Promise<unknown>)[] = [];

/** Registers something to close after the test. */
export function track<T>(resource: T, close: (resource: T) => Promise<unknown>): T {
  cleanups.push(() => close(resource));
  return resource;
}

/** Closes everything opened during the test, newest first. */
export async function closeAll(): Promise<void> {
  const pending = cleanups.splice(0).reverse();
  for (const close of pending) await close().catch(() => undefined);
}

/** Starts an MCPServer on 127.0.0.1:0, quiet, without heartbeat; `setup` registers tools before start. */
export async function startMcpServer(options: MCPServerOptions = {}, setup?: (server: MCPServer) => void): Promise<{ server: MCPServer; url: string; port: number }> {
  const server = track(
    new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 500, ...options }),
    (s) => s.stop(),
  );
  setup?.(server);
  await server.start();
  const address = server.address;
  if (!address) throw new Error('a started server has an address');
  return { server, url: `ws://127.0.0.1:${address.port}`, port: address.port };
}

export interface Frame {
  readonly text: string | undefined;
  readonly json: JsonObject | undefined;
  readonly isBinary: boolean;
}

/**
 * A plain ws client offering subprotocol `mcp`, recording every frame from the moment it is
 * created. `request` correlates by id; `next` waits for the next frame matching a predicate.
 */
export class RawMcpClient {
  private readonly frames = new ReplaySubject<Frame>();
  private nextId = 1000;
  readonly received: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? undefined : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      let json: JsonObject | undefined;
      try {
        json = text === undefined ? undefined : (JSON.parse(text) as JsonObject);
      } catch {
        json = undefined;
      }
      const frame = { text, json, isBinary };
      this.received.push(frame);
      this.frames.next(frame);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.frames.complete();
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(url: string, protocols: string | string[] = 'mcp', options?: ClientOptions): Promise<RawMcpClient> {
    const socket = new WebSocket(url, protocols, options);
    const client = track(new RawMcpClient(socket), (c) => c.close());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Every frame as it arrives (replayed from the start). */
  get frames$(): Observable<Frame> {
    return this.frames.asObservable();
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  send(message: JsonObject): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The next frame (from the start of the recording) matching `predicate`. */
  next(predicate: (frame: Frame) => boolean, what = 'a matching frame'): Promise<Frame> {
    return firstValueFrom(
      this.frames.pipe(
        filter(predicate),
        timeout({ first: EXPECT_WITHIN, with: () => Promise.reject(new Error(`no ${what} within ${EXPECT_WITHIN} ms`)) }),
      ),
    );
  }

  /** The response with this id. */
  async response(id: string | number): Promise<JsonObject> {
    const frame = await this.next((f) => f.json !== undefined && f.json['id'] === id && !('method' in f.json), `response to id ${JSON.stringify(id)}`);
    return frame.json as JsonObject;
  }

  /** The next notification with this method (counting from the start of the recording, skipping `skip` earlier ones). */
  async notification(method: string, skip = 0): Promise<JsonObject> {
    let seen = 0;
    const frame = await this.next((f) => {
      if (f.json?.['method'] !== method || 'id' in f.json) return false;
      seen += 1;
      return seen > skip;
    }, `notification ${method}`);
    return frame.json as JsonObject;
  }

  /** Sends a request and waits for its response (either result or error). */
  async request(method: string, params?: JsonObject, id: string | number = this.nextId++): Promise<JsonObject> {
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.response(id);
  }

  /** The legacy handshake: initialize + notifications/initialized. Returns the initialize result. */
  async initialize(protocolVersion = '2025-11-25', clientInfo = { name: 'raw-spec-client', version: '1.0.0' }): Promise<JsonObject> {
    const response = await this.request('initialize', { protocolVersion, capabilities: {}, clientInfo });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return response['result'] as JsonObject;
  }

  async close(): Promise<unknown> {
    if (this.socket.readyState === WebSocket.CLOSED) return undefined;
    this.socket.close();
    return this.closed;
  }
}

/** The `_meta` of a 2026-07-28 request. */
export function modernMeta(extra: JsonObject = {}): JsonObject {
  return {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'modern-spec-client', version: '2.0.0' },
    ...extra,
  };
}
