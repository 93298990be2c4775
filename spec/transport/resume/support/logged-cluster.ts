/**
 * A LocalCluster whose publishes go through one shared, ordered log with positions, as Redis
 * Streams would: `readSince` pages through it, `trim` drops its head, and `kill` makes a node vanish
 * without a goodbye (its presence goes, sends to it report `false`, it hears nothing more). For
 * cross-node resumption tests in one process; presence and sends are LocalBus's own.
 */
import { merge, Subject, type Observable } from 'rxjs';
import { comparePositions, LocalCluster, type BusEnvelope, type BusStatus, type ClusterBus, type ClusterPresence, type LocalBus } from '../../../../src/transport/index.js';

export class LoggedCluster {
  private readonly local = new LocalCluster();
  private readonly members = new Set<LoggedBus>();
  private readonly log: BusEnvelope[] = [];
  private counter = 0;
  /** Called with each envelope as it is logged: tests act at exact points of a protocol. */
  onAppend: (envelope: BusEnvelope) => void = () => undefined;
  /** Envelopes before this index were trimmed. */
  private trimmedBefore = 0;

  constructor(private readonly pageSize = 50) {}

  node(nodeId: string): LoggedBus {
    const bus = new LoggedBus(this, this.local.node(nodeId));
    this.members.add(bus);
    return bus;
  }

  /** @internal */
  append(from: string, topic: string, data: string): string {
    this.counter += 1;
    const envelope: BusEnvelope = { from, topic, data, position: `${Date.now()}-${this.counter}` };
    this.log.push(envelope);
    this.onAppend(envelope);
    for (const member of this.members) if (member.nodeId !== from) member.hear(envelope);
    return envelope.position ?? '';
  }

  /** @internal */
  readSince(position: string): readonly BusEnvelope[] | undefined {
    // What came right after `position` must still be here.
    const lastTrimmed = this.log[this.trimmedBefore - 1];
    if (lastTrimmed && comparePositions(position, lastTrimmed.position ?? '0-0') < 0) return undefined;
    return this.log
      .slice(this.trimmedBefore)
      .filter((envelope) => comparePositions(envelope.position ?? '0-0', position) > 0)
      .slice(0, this.pageSize);
  }

  /** The position of the last envelope logged, `0-0` before any. */
  get lastPosition(): string {
    return this.log[this.log.length - 1]?.position ?? '0-0';
  }

  /** Drops every envelope logged so far, as a trimmed stream would. */
  trim(): void {
    this.trimmedBefore = this.log.length;
  }

  /** @internal */
  leave(bus: LoggedBus): void {
    this.members.delete(bus);
  }
}

export class LoggedBus implements ClusterBus {
  private readonly published = new Subject<BusEnvelope>();
  private alive = true;
  /** The last position this node heard or published, as RedisBus's reader knows it. */
  lastPosition: string | undefined;
  readonly inbound$: Observable<BusEnvelope>;

  constructor(
    private readonly cluster: LoggedCluster,
    private readonly inner: LocalBus,
  ) {
    this.inbound$ = merge(this.inner.inbound$, this.published);
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get presence(): ClusterPresence {
    return this.inner.presence;
  }

  get status$(): Observable<BusStatus> {
    return this.inner.status$;
  }

  start(): Promise<void> {
    // As RedisBus's reader starts: at the log's last entry.
    this.lastPosition = this.cluster.lastPosition;
    return this.inner.start();
  }

  stop(): Promise<void> {
    this.cluster.leave(this);
    return this.inner.stop();
  }

  /** Vanishes without a goodbye, as a SIGKILLed node would (its lease expiring at once). */
  async kill(): Promise<void> {
    this.alive = false;
    await this.stop();
  }

  publish(topic: string, data: string): Promise<void> {
    if (this.alive) this.lastPosition = this.cluster.append(this.nodeId, topic, data);
    return Promise.resolve();
  }

  sendToNode(nodeId: string, topic: string, data: string): Promise<boolean> {
    return this.alive ? this.inner.sendToNode(nodeId, topic, data) : Promise.resolve(false);
  }

  readSince(position: string): Promise<readonly BusEnvelope[] | undefined> {
    return Promise.resolve(this.cluster.readSince(position));
  }

  /** @internal A broker delivers later, not inside the sender's call. */
  hear(envelope: BusEnvelope): void {
    queueMicrotask(() => {
      if (!this.alive) return;
      this.lastPosition = envelope.position;
      this.published.next(envelope);
    });
  }
}
