import { filter, share, Subscription, type Observable } from 'rxjs';
import type { BusEnvelope, BusStatus, ClusterBus, ClusterNode } from '../cluster/cluster-bus.js';
import type { EncodedFrame } from '../edges/edge.js';
import { ClusterError, type TransportError } from '../errors.js';
import { writeFrameToEach } from './messages/broadcast.js';
import type { ClientConnection } from './clients/client-connection.js';
import type { Peers } from './clients/peers.js';

/** The topics the transport itself uses on the bus. */
export const BusTopic = {
  /** A broadcast: its encoded text, for every client of every node. */
  broadcast: 'broadcast',
  /** A message for one client of the receiving node: `{ clientId, text }`. */
  direct: 'direct',
} as const;

/**
 * A server's cluster as layers above the transport use it (MCP's notifications, say): this node's
 * id, the live nodes, the bus's condition, and topics of their own. The transport's topics
 * (`broadcast`, `direct`) are its own; a layer names its topics with a prefix (`mcp:…`).
 */
export interface ClusterView {
  readonly nodeId: string;
  /** The live nodes and their clients; replays the latest value. */
  readonly nodes$: Observable<readonly ClusterNode[]>;
  /** The bus's condition (hot). */
  readonly status$: Observable<BusStatus>;
  /** Publishes on `topic`, once, for every other node. */
  publish(topic: string, data: string): Promise<void>;
  /** To one node; resolves whether that node was there to take it. */
  sendToNode(nodeId: string, topic: string, data: string): Promise<boolean>;
  /** What other nodes publish or send to this node on `topic` (hot). */
  receive(topic: string): Observable<BusEnvelope>;
}

/** What the link needs of the server it joins to the cluster. */
export interface ClusterHost {
  /** Connections as they come and go, to report to presence. */
  readonly connections$: Observable<ClientConnection>;
  readonly disconnections$: Observable<{ readonly clientId: string }>;
  /** Writes a frame another node broadcast to every client of this node. */
  writeToLocalClients(frame: EncodedFrame): void;
  /** Writes a message another node sent to one client of this node; whether the client was here. */
  writeToLocalClient(clientId: string, text: string): boolean;
  report(error: TransportError): void;
}

/**
 * A server's place in its cluster: reports its clients to presence, publishes its broadcasts once
 * for every other node, forwards sends to clients on other nodes, and delivers what other nodes
 * publish or send to its own clients.
 */
export class ClusterLink implements ClusterView {
  private readonly wiring = new Subscription();
  /** The cluster's client count; replays the latest. */
  readonly clientCount$: Observable<number>;
  /** The live nodes and their clients; replays the latest. */
  readonly nodes$: Observable<readonly ClusterNode[]>;
  /** The bus's condition (hot). */
  readonly status$: Observable<BusStatus>;
  private latestCount = 0;
  /** Whether the bus is connected, as its status last said (from the link's making to its `stop()`). */
  private connected = true;
  private readonly inbound$: Observable<BusEnvelope>;

  constructor(
    private readonly bus: ClusterBus,
    private readonly host: ClusterHost,
  ) {
    this.clientCount$ = bus.presence.count$;
    this.nodes$ = bus.presence.nodes$;
    this.status$ = bus.status$;
    this.inbound$ = bus.inbound$.pipe(share());
    this.wiring.add(bus.status$.subscribe((status) => (this.connected = status.kind !== 'disconnected')));
  }

  /** Whether the bus is connected, as its status last said: a node cut off from it is not ready. */
  get busConnected(): boolean {
    return this.connected;
  }

  /** The cluster's client count as presence last reported it. */
  get clientCount(): number {
    return this.latestCount;
  }

  get nodeId(): string {
    return this.bus.nodeId;
  }

  /** Joins: presence follows the server's connections from now on; inbound messages are delivered. */
  async start(): Promise<void> {
    const { bus, host } = this;
    this.wiring.add(host.connections$.subscribe((client) => bus.presence.join(client.id)));
    this.wiring.add(host.disconnections$.subscribe(({ clientId }) => bus.presence.leave(clientId)));
    this.wiring.add(bus.presence.count$.subscribe((count) => (this.latestCount = count)));
    this.wiring.add(this.inbound$.subscribe((envelope) => this.deliver(envelope)));
    this.wiring.add(
      bus.status$.subscribe((status) => {
        if (status.kind === 'disconnected') host.report(new ClusterError(`Lost the cluster bus: ${status.error?.message ?? 'disconnected'}`, { cause: status.error }));
        if (status.kind === 'resubscribed' && status.missed) host.report(new ClusterError('The cluster bus is back; what other nodes published while it was down may not have reached this node'));
      }),
    );
    await bus.start();
  }

  /** Leaves the cluster: this node's clients no longer count anywhere. */
  async stop(): Promise<void> {
    this.wiring.unsubscribe();
    await this.bus.stop();
  }

  /** Publishes a broadcast already written to this node's clients, for every other node. */
  broadcast(frame: EncodedFrame): void {
    this.bus.publish(BusTopic.broadcast, frame.text).catch((error: unknown) => this.failed('publish a broadcast', error));
  }

  /** Sends to a client that is not on this node: resolves 1 when the node holding it took the message, else 0. */
  async sendToRemote(clientId: string, text: string): Promise<number> {
    const nodeId = await this.bus.presence.locate(clientId);
    if (nodeId === undefined || nodeId === this.bus.nodeId) return 0;
    const delivered = await this.bus.sendToNode(nodeId, BusTopic.direct, JSON.stringify({ clientId, text }));
    return delivered ? 1 : 0;
  }

  publish(topic: string, data: string): Promise<void> {
    if (isTransportTopic(topic)) return Promise.reject(new ClusterError(`The topic ${JSON.stringify(topic)} is the transport's own`));
    return this.bus.publish(topic, data);
  }

  sendToNode(nodeId: string, topic: string, data: string): Promise<boolean> {
    if (isTransportTopic(topic)) return Promise.reject(new ClusterError(`The topic ${JSON.stringify(topic)} is the transport's own`));
    return this.bus.sendToNode(nodeId, topic, data);
  }

  receive(topic: string): Observable<BusEnvelope> {
    return this.inbound$.pipe(filter((envelope) => envelope.topic === topic));
  }

  private deliver(envelope: BusEnvelope): void {
    if (envelope.topic === BusTopic.broadcast) {
      const bytes = Buffer.from(envelope.data, 'utf8');
      // The position goes into resumable sessions' logs: where another node would catch up from.
      this.host.writeToLocalClients(envelope.position === undefined ? { text: envelope.data, bytes } : { text: envelope.data, bytes, position: envelope.position });
      return;
    }
    if (envelope.topic === BusTopic.direct) {
      const direct = parseDirect(envelope.data);
      if (direct) this.host.writeToLocalClient(direct.clientId, direct.text);
    }
  }

  private failed(what: string, error: unknown): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.host.report(new ClusterError(`Could not ${what} on the cluster bus: ${cause.message}`, { cause }));
  }
}

function isTransportTopic(topic: string): boolean {
  return topic === BusTopic.broadcast || topic === BusTopic.direct;
}

function parseDirect(data: string): { clientId: string; text: string } | undefined {
  try {
    const parsed = JSON.parse(data) as { clientId?: unknown; text?: unknown };
    return typeof parsed.clientId === 'string' && typeof parsed.text === 'string' ? { clientId: parsed.clientId, text: parsed.text } : undefined;
  } catch {
    return undefined;
  }
}

/** What a server's clients offer the cluster link: their comings and goings, and writes to them. */
export function clusterHostOf(peers: Peers): ClusterHost {
  return {
    connections$: peers.connections$,
    disconnections$: peers.disconnections$,
    writeToLocalClients: (frame) => void writeFrameToEach(peers.values(), frame),
    writeToLocalClient: (clientId, text) => peers.get(clientId)?.write(text) === true,
    report: (error) => peers.report(error),
  };
}
