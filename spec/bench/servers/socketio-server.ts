import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { JsonObject } from '../../../src/protocol/index.js';
import { replyTo, type PeerServer } from './peer-server.js';

/** socket.io 4 over its WebSocket transport only (no long-polling), acks for replies, `io.emit` to broadcast. */
export async function startSocketIoServer(): Promise<PeerServer> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('request', (request: JsonObject, ack: (reply: JsonObject) => void) => ack(replyTo(request)));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (http.address() as AddressInfo).port,
    clientCount: () => io.engine.clientsCount,
    broadcast: (message) => {
      io.emit('notification', { ...message, type: 'notification' });
    },
    stop: async () => {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}
