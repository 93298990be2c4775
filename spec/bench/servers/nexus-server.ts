import { builtModule } from '../build.js';
import { BENCH_TRANSPORT_OPTIONS } from './nexus-options.js';
import { replyTo, type PeerServer } from './peer-server.js';

/** The types of src/transport; the code is the compiled build (see build.ts). */
type TransportModule = typeof import('../../../src/transport/index.js');

/** nexus-mcp's WebSocketServerTransport bound to loopback, with its defaults except those in nexus-options.ts. */
export async function startNexusServer(): Promise<PeerServer> {
  const { WebSocketServerTransport } = (await import(builtModule('transport/index.js'))) as TransportModule;
  const transport = new WebSocketServerTransport({ ...BENCH_TRANSPORT_OPTIONS, host: '127.0.0.1', port: 0, messageHandler: replyTo });
  await transport.start();
  const port = transport.address?.port;
  if (port === undefined) throw new Error('nexus transport did not report a port');
  return {
    port,
    clientCount: () => transport.getConnectedClients(),
    broadcast: async (message) => {
      await transport.broadcastNotification(message);
    },
    stop: () => transport.stop(),
  };
}
