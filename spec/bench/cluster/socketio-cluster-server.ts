import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { JsonObject } from '../../../src/protocol/index.js';
import { replyTo } from '../servers/peer-server.js';
import type { ClusterPeerParams, ClusterPeerServer } from './cluster-peer.js';

/**
 * socket.io 4 over WebSocket only, joined to the other nodes by @socket.io/redis-adapter (its
 * pub/sub adapter, on ioredis): `io.emit` reaches every node's sockets, `io.to(socketId).emit`
 * reaches a socket on any node. Otherwise as the single-node socket.io peer.
 */
export async function startSocketIoClusterServer({ redisUrl }: ClusterPeerParams): Promise<ClusterPeerServer> {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, adapter: createAdapter(pub, sub) });
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
    sendTo: (clientId, message) => {
      io.to(clientId).emit('direct', message);
    },
    redisCommands: () => undefined,
    // The adapter counts across nodes only by asking every node (fetchSockets): not a count to poll.
    clusterCount: () => undefined,
    stop: async () => {
      io.disconnectSockets(true);
      await io.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
