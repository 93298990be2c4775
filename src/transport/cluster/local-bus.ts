import { randomUUID } from 'node:crypto';
import { BehaviorSubject, distinctUntilChanged, map, Subject, type Observable } from 'rxjs';
import type { BusEnvelope, BusStatus, ClusterBus, ClusterNode, ClusterPresence } from './cluster-bus.js';

/**
 * Nodes in one process that form a cluster: servers that share it see each other's clients,
 * broadcasts and sends as nodes on Redis would, without a broker. For tests, and for several
 * servers in one process (a WebSocket port and a TLS port, say).
 *
 * @example
 * const cluster = new LocalCluster();
 * const a = new WebSocketServerTransport({ port: 3001, cluster: cluster.node('a') });
 * const b = new WebSocketServerTransport({ port: 3002, cluster: cluster.node('b') });
 */
export class LocalCluster {
  private readonly members = new Map<string, LocalBus>();

  /** A new node of this cluster (started by the server that gets it). */
  node(nodeId: string = randomUUID()): LocalBus {
    return new LocalBus({ cluster: this, nodeId });
  }

  /** @internal */
  enter(node: LocalBus): void {
    if (this.members.has(node.nodeId)) throw new Error(`A node ${node.nodeId} is already in this cluster`);
    this.members.set(node.nodeId, node);
    this.changed();
  }

  /** @internal */
  exit(node: LocalBus): void {
    if (this.members.get(node.nodeId) === node) this.members.delete(node.nodeId);
    this.changed();
  }

  /** @internal Hands an envelope to every member but its sender, or to `to` alone. */
  deliver(envelope: BusEnvelope, to?: string): boolean {
    const targets = to === undefined ? [...this.members.values()].filter((node) => node.nodeId !== envelope.from) : [this.members.get(to)].filter((node) => node !== undefined);
    // A broker delivers later, not inside the sender's call: the same here, in order.
    for (const node of targets) queueMicrotask(() => node.receive(envelope));
    return targets.length > 0;
  }

  /** @internal */
  locate(clientId: string): string | undefined {
    for (const node of this.members.values()) if (node.holds(clientId)) return node.nodeId;
    return undefined;
  }

  /** @internal Presence changed somewhere: every member's view is recomputed. */
  changed(): void {
    const nodes: ClusterNode[] = [...this.members.values()].map((node) => ({ nodeId: node.nodeId, clients: node.localCount }));
    for (const node of this.members.values()) node.see(nodes);
  }
}

/**
 * The in-process {@link ClusterBus}: the default, a cluster of one node, or a node of a
 * {@link LocalCluster}. Delivery is immediate (a microtask later) and never lost.
 */
export class LocalBus implements ClusterBus {
  readonly nodeId: string;
  private readonly cluster: LocalCluster;
  private readonly clients = new Set<string>();
  private readonly inboundSubject = new Subject<BusEnvelope>();
  private readonly nodesSubject = new BehaviorSubject<readonly ClusterNode[]>([]);
  private readonly statusSubject = new BehaviorSubject<BusStatus>({ kind: 'connected' });
  private started = false;
  readonly inbound$: Observable<BusEnvelope> = this.inboundSubject.asObservable();
  readonly status$: Observable<BusStatus> = this.statusSubject.asObservable();
  readonly presence: ClusterPresence;

  constructor(options: { readonly cluster?: LocalCluster; readonly nodeId?: string } = {}) {
    this.cluster = options.cluster ?? new LocalCluster();
    this.nodeId = options.nodeId ?? randomUUID();
    const nodes$ = this.nodesSubject.asObservable();
    this.presence = {
      join: (clientId) => {
        this.clients.add(clientId);
        if (this.started) this.cluster.changed();
      },
      leave: (clientId) => {
        if (this.clients.delete(clientId) && this.started) this.cluster.changed();
      },
      locate: (clientId) => Promise.resolve(this.cluster.locate(clientId)),
      count$: nodes$.pipe(map(totalClients), distinctUntilChanged()),
      nodes$,
    };
  }

  /** @internal */
  get localCount(): number {
    return this.clients.size;
  }

  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.cluster.enter(this);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      this.clients.clear();
      this.cluster.exit(this);
      this.nodesSubject.next([]);
    }
    return Promise.resolve();
  }

  publish(topic: string, data: string): Promise<void> {
    if (this.started) this.cluster.deliver({ from: this.nodeId, topic, data });
    return Promise.resolve();
  }

  sendToNode(nodeId: string, topic: string, data: string): Promise<boolean> {
    return Promise.resolve(this.started && this.cluster.deliver({ from: this.nodeId, topic, data }, nodeId));
  }

  /** @internal */
  receive(envelope: BusEnvelope): void {
    if (this.started) this.inboundSubject.next(envelope);
  }

  /** @internal */
  holds(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  /** @internal */
  see(nodes: readonly ClusterNode[]): void {
    if (this.started) this.nodesSubject.next(nodes);
  }
}

/** The clients of every node, together. */
export function totalClients(nodes: readonly ClusterNode[]): number {
  return nodes.reduce((sum, node) => sum + node.clients, 0);
}
