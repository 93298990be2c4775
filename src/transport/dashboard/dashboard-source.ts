import type { Observable, SchedulerLike } from 'rxjs';
import type { BusStatus, ClusterNode } from '../cluster/cluster-bus.js';
import type { TransportErrorEvent } from '../errors.js';
import type { SlowConsumerEvent } from '../flow/slow-consumer.js';
import type { TrafficTotals } from '../observability/traffic.js';
import type { ClientConnection } from '../server/clients/client-connection.js';
import type { Disconnection } from '../server/clients/peers.js';

/** One local client as the dashboard reads it: what every connection keeps as plain numbers. */
export interface WatchedClient {
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly protocol: string;
  readonly connectedAt: Date;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
}

/** What the dashboard watches: the server's own streams and counters, read, never fed. */
export interface DashboardSource {
  readonly scheduler: SchedulerLike;
  readonly connections$: Observable<ClientConnection>;
  readonly disconnections$: Observable<Disconnection>;
  readonly slowConsumer$: Observable<SlowConsumerEvent>;
  readonly errors$: Observable<TransportErrorEvent>;
  readonly traffic: TrafficTotals;
  /** This node's clients now. */
  clients(): Iterable<WatchedClient>;
  readonly ready: boolean;
  /** With a cluster bus: this node, the live nodes, the bus's condition. */
  readonly cluster:
    | {
        readonly nodeId: string;
        readonly nodes$: Observable<readonly ClusterNode[]>;
        readonly status$: Observable<BusStatus>;
      }
    | undefined;
}

/** The server's public face that the dashboard reads (a `WebSocketServerTransport`). */
export interface WatchedServer extends Pick<DashboardSource, 'connections$' | 'disconnections$' | 'slowConsumer$' | 'errors$' | 'traffic' | 'ready'> {
  readonly clusterNode: DashboardSource['cluster'];
}

/** The dashboard's view of a server: its streams, plus what only the server holds (its scheduler, its clients). */
export function watchServer(server: WatchedServer, scheduler: SchedulerLike, clients: () => Iterable<WatchedClient>): DashboardSource {
  return {
    scheduler,
    clients,
    connections$: server.connections$,
    disconnections$: server.disconnections$,
    slowConsumer$: server.slowConsumer$,
    errors$: server.errors$,
    get traffic() {
      return server.traffic;
    },
    get ready() {
      return server.ready;
    },
    cluster: server.clusterNode,
  };
}
