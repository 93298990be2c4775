/**
 * One node of a test cluster, as its own process:
 * `node --expose-gc --import tsx cluster-node.ts --node-id a --bus redis --redis redis://127.0.0.1:P`.
 *
 * A WebSocketServerTransport on 127.0.0.1 port 0 with resumable sessions and a short heartbeat,
 * joined to the cluster by its bus. It announces its port on stdout (`{"event":"ready",…}`), reports
 * the bus's status and every server error there as they happen, and obeys the commands of
 * node-protocol.ts on stdin. It exits when stdin closes, so no node outlives its test.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { concatMap, from, lastValueFrom, map, of, timer, toArray } from 'rxjs';
import { WebSocketServerTransport } from '../../../src/transport/index.js';
import { measureMemory } from '../../bench/servers/memory.js';
import { createNodeCluster, type BusKind } from './cluster-bus-factory.js';
import { SEQ_EVENT, type BroadcastResult, type CountsResult, type NodeCommand, type NodeLine, type NodeRequest } from './node-protocol.js';

const { values } = parseArgs({
  options: {
    'node-id': { type: 'string' },
    bus: { type: 'string', default: 'redis' },
    redis: { type: 'string' },
    'lease-ms': { type: 'string', default: '2000' },
    prefix: { type: 'string', default: 'nexus' },
    'resume-window-ms': { type: 'string', default: '10000' },
  },
});

const nodeId = values['node-id'] ?? `node-${process.pid}`;

function emit(line: NodeLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const cluster = createNodeCluster({
    kind: values.bus as BusKind,
    redisUrl: values.redis,
    nodeId,
    leaseMs: Number(values['lease-ms']),
    prefix: values.prefix,
  });
  const windowMs = Number(values['resume-window-ms']);
  const server = new WebSocketServerTransport({
    host: '127.0.0.1',
    port: 0,
    logger: false,
    messageRate: false,
    stopGraceMs: 500,
    // A client asks where it is, so that a test can tell which node's reports concern it.
    messageHandler: (message, client) => (message['type'] === 'whoami' ? { type: 'whoami', nodeId, clientId: client.id } : undefined),
    // Short, so that a node notices a dead client (and reports it to presence) within a test.
    heartbeat: { interval: 1000, timeout: 800 },
    resume: { windowMs, maxAgeMs: windowMs, ...(cluster.shared ? { shared: cluster.shared } : {}) },
    ...(cluster.bus ? { cluster: cluster.bus } : {}),
  });
  server.errors$.subscribe(({ error, clientId }) =>
    emit({ event: 'error', code: error.code, message: error.message, ...(clientId === undefined ? {} : { clientId }), at: Date.now() }),
  );
  let local = 0;
  server.localClientCount$.subscribe((count) => (local = count));
  let nodes: CountsResult['nodes'] = [];
  server.clusterNode?.nodes$.subscribe((latest) => (nodes = latest));
  server.clusterNode?.status$.subscribe((status) => emit({ event: 'status', ...status, at: Date.now() }));
  await server.start();
  const port = server.address?.port;
  if (port === undefined) throw new Error('the node does not listen');

  const run = async (command: NodeCommand): Promise<unknown> => {
    switch (command.cmd) {
      case 'broadcast':
        return broadcast(server, command.from, command.count, command.intervalMs);
      case 'counts':
        return { local, cluster: server.getConnectedClients(), nodes } satisfies CountsResult;
      case 'memory':
        return measureMemory();
      case 'sendTo':
        return server.sendTo(command.clientId, command.message);
      case 'clients':
        return server.getClients().map((client) => client.id);
      case 'stop':
        await server.stop();
        setImmediate(() => process.exit(0));
        return true;
    }
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const request = JSON.parse(line) as NodeRequest;
    run(request).then(
      (result) => emit({ reply: request.id, result: result ?? null }),
      (error: unknown) => emit({ reply: request.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The test that started this node is gone: so is the node.
  lines.once('close', () => process.exit(0));
  emit({ event: 'ready', port, nodeId, at: Date.now() });
}

/** Sends messages `from` … `from + count - 1`, `intervalMs` apart (rxjs time), and says when each went. */
async function broadcast(server: WebSocketServerTransport, first: number, count: number, intervalMs: number): Promise<BroadcastResult> {
  const seqs = Array.from({ length: count }, (_, index) => first + index);
  const sentAt = await lastValueFrom(
    from(seqs).pipe(
      concatMap((seq, index) => (index === 0 || intervalMs === 0 ? of(seq) : timer(intervalMs).pipe(map(() => seq)))),
      concatMap(async (seq) => {
        const at = Date.now();
        await server.broadcastNotification({ event: SEQ_EVENT, seq });
        return at;
      }),
      toArray(),
    ),
    { defaultValue: [] },
  );
  return { sentAt };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
