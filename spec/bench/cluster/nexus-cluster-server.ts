import type { ClientConnection } from '../../../src/transport/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { builtModule } from '../build.js';
import { BENCH_TRANSPORT_OPTIONS } from '../servers/nexus-options.js';
import { replyTo } from '../servers/peer-server.js';
import { WHOAMI, type ClusterPeerParams, type ClusterPeerServer } from './cluster-peer.js';

/** The types of src/transport; the code is the compiled build (see build.ts). */
type TransportModule = typeof import('../../../src/transport/index.js');

/** The types of src/redis (`nexus-mcp/redis`); the code is the compiled build. */
type RedisModule = typeof import('../../../src/redis/index.js');

/** A probe asks who it is; everything else is the benchmark's request, answered as by the other peers. */
function handle(message: JsonObject, client: ClientConnection): JsonObject {
  return message['type'] === WHOAMI ? { type: WHOAMI, clientId: client.id } : replyTo(message);
}

/**
 * nexus-mcp's WebSocketServerTransport with the benchmark's options (nexus-options.ts) and
 * `cluster: new RedisBus({ url })`: a broadcast is written to this node's clients and published
 * once for the others; `sendTo` finds the node holding the client through presence.
 */
export async function startNexusClusterServer({ redisUrl, nodeId }: ClusterPeerParams): Promise<ClusterPeerServer> {
  const { WebSocketServerTransport } = (await import(builtModule('transport/index.js'))) as TransportModule;
  const { RedisBus } = (await import(builtModule('redis/index.js'))) as RedisModule;
  const bus = new RedisBus({ url: redisUrl, nodeId });
  const transport = new WebSocketServerTransport({ ...BENCH_TRANSPORT_OPTIONS, host: '127.0.0.1', port: 0, messageHandler: handle, cluster: bus });
  await transport.start();
  const port = transport.address?.port;
  if (port === undefined) throw new Error('nexus transport did not report a port');
  let localClients = 0;
  transport.localClientCount$.subscribe((count) => (localClients = count));
  return {
    port,
    clientCount: () => localClients,
    broadcast: async (message) => {
      await transport.broadcastNotification(message);
    },
    sendTo: async (clientId, message) => {
      if ((await transport.sendTo(clientId, message)) !== 1) throw new Error(`sendTo ${clientId} reached nobody`);
    },
    redisCommands: () => bus.commands,
    clusterCount: () => transport.getConnectedClients(),
    stop: () => transport.stop(),
  };
}
