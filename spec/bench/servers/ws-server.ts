import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { JsonObject } from '../../../src/protocol/index.js';
import { replyTo, type PeerServer } from './peer-server.js';

/**
 * The near-limit reference: a bare ws server that parses each frame, answers with
 * `JSON.stringify`, and broadcasts by serialising once and sending that string to every client.
 */
export async function startRawWsServer(): Promise<PeerServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a text frame arrives as a Buffer
      const request = JSON.parse(data.toString()) as JsonObject;
      socket.send(JSON.stringify(replyTo(request)));
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    clientCount: () => wss.clients.size,
    broadcast: (message) => {
      const data = JSON.stringify({ ...message, type: 'notification' });
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data);
    },
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
