import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { TransportPeer } from '../config.js';
import { nowMs } from '../stats.js';
import { WHOAMI } from './cluster-peer.js';

/** One client that notes when each directed message (`{ type: 'direct', seq }`) reached it. */
export interface Probe {
  /** The id the server knows this client by: what `sendTo` is given. */
  readonly clientId: string;
  /** Arrival time (`nowMs()`) by `seq`. */
  readonly arrivals: Map<number, number>;
  close(): void;
}

/** Opens a probe on `url`: a plain ws client asking the nexus node who it is, or a socket.io client (whose id is `socket.id`). */
export function openProbe(peer: TransportPeer, url: string): Promise<Probe> {
  return peer === 'socketio' ? openSocketIoProbe(url) : openWsProbe(url);
}

function openWsProbe(url: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'mcp', { perMessageDeflate: false });
    const arrivals = new Map<number, number>();
    socket.once('error', reject);
    socket.on('message', (data) => {
      const at = nowMs();
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a text frame arrives as a Buffer
      const message = JSON.parse(data.toString()) as { type?: unknown; seq?: unknown; clientId?: unknown };
      if (message.type === 'direct' && typeof message.seq === 'number') arrivals.set(message.seq, at);
      if (message.type === WHOAMI && typeof message.clientId === 'string') {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve({ clientId: message.clientId, arrivals, close: () => socket.terminate() });
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: WHOAMI })));
  });
}

function openSocketIoProbe(url: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const arrivals = new Map<number, number>();
    socket.once('connect_error', reject);
    socket.on('direct', (message: { seq?: unknown }) => {
      if (typeof message.seq === 'number') arrivals.set(message.seq, nowMs());
    });
    socket.once('connect', () => {
      socket.off('connect_error', reject);
      if (socket.id === undefined) reject(new Error('a connected socket.io client has an id'));
      else resolve({ clientId: socket.id, arrivals, close: () => socket.disconnect() });
    });
  });
}
