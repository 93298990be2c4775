import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { TransportPeer } from '../config.js';

/** One load-generator connection to a server under test. */
export interface LoadConnection {
  /** Sends one request and resolves with the reply (one request in flight per connection). */
  request(id: number, data: string): Promise<unknown>;
  /** Called once per broadcast message received. */
  onBroadcast(listener: () => void): void;
  close(): void;
}

/** Opens connections to one kind of server. */
export type Connect = (url: string) => Promise<LoadConnection>;

/**
 * Plain ws clients for both nexus and raw ws servers: the same load generator for both, speaking
 * JSON text frames. The client is kept cheap so that the server, not the load generator, is what
 * runs out of CPU first: requests are built by concatenation, the all-zero mask lets ws skip
 * masking (any mask is valid, and loopback needs no protection from proxies), only the first
 * reply of each connection is parsed and checked, and broadcasts are counted, not parsed.
 */
export const connectWs: Connect = (url) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'mcp', { perMessageDeflate: false, generateMask: (mask) => mask.fill(0) });
    let waiting: { resolve: (reply: unknown) => void; reject: (error: Error) => void } | undefined;
    let checked = false;
    let encoded = { data: '', json: '""' };
    let broadcastListener: (() => void) | undefined;
    socket.once('error', reject);
    socket.on('message', (data, isBinary) => {
      if (!waiting) {
        broadcastListener?.();
        return;
      }
      const { resolve: settle, reject: fail } = waiting;
      waiting = undefined;
      if (checked) {
        settle(data);
        return;
      }
      checked = true;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a text frame arrives as a Buffer
      const text = isBinary ? '' : data.toString();
      if (!text.startsWith('{') || (JSON.parse(text) as { type?: unknown }).type !== 'reply') fail(new Error(`Unexpected reply: ${text}`));
      else settle(text);
    });
    // A request in flight when the server closes the connection fails instead of hanging the run.
    socket.on('close', (code, reason) => {
      waiting?.reject(new Error(`The server closed the connection (${code} ${reason.toString()})`));
      waiting = undefined;
    });
    socket.once('open', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        request: (id, data) =>
          new Promise((settle, fail) => {
            waiting = { resolve: settle, reject: fail };
            if (encoded.data !== data) encoded = { data, json: JSON.stringify(data) };
            socket.send(`{"type":"request","id":${id},"data":${encoded.json}}`);
          }),
        onBroadcast: (listener) => {
          broadcastListener = listener;
        },
        close: () => socket.terminate(),
      });
    });
  });

/** socket.io-client over WebSocket only, one Manager per client (`forceNew`) so sockets are not multiplexed. */
export const connectSocketIo: Connect = (url) =>
  new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    socket.once('connect_error', reject);
    let failPending: ((error: Error) => void) | undefined;
    socket.on('disconnect', (reason) => failPending?.(new Error(`Disconnected: ${reason}`)));
    socket.once('connect', () => {
      socket.off('connect_error', reject);
      resolve({
        request: (id, data) =>
          new Promise((settle, fail) => {
            failPending = fail;
            socket.emit('request', { type: 'request', id, data }, (reply: unknown) => {
              failPending = undefined;
              settle(reply);
            });
          }),
        onBroadcast: (listener) => {
          socket.on('notification', listener);
        },
        close: () => socket.disconnect(),
      });
    });
  });

export function connectorFor(peer: TransportPeer): Connect {
  return peer === 'socketio' ? connectSocketIo : connectWs;
}

export function urlFor(peer: TransportPeer, port: number): string {
  return peer === 'socketio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}`;
}

/**
 * Opens `count` connections with at most `concurrency` attempts in flight. Resolves with the
 * connections and how long opening took; rejects on the first failure (after closing what opened).
 */
export async function openMany(
  connect: Connect,
  url: string,
  count: number,
  concurrency: number,
): Promise<{ connections: LoadConnection[]; elapsedMs: number }> {
  const connections: LoadConnection[] = [];
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      connections.push(await connect(url));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    for (const connection of connections) connection.close();
    throw error;
  }
  return { connections, elapsedMs: performance.now() - started };
}
