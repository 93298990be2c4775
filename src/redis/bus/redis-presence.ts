import { BehaviorSubject, distinctUntilChanged, interval, map, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Redis } from 'ioredis';
import type { ClusterNode, ClusterPresence } from '../../transport/cluster/cluster-bus.js';
import { totalClients } from '../../transport/cluster/local-bus.js';
import type { RedisBusKeys } from './redis-bus-options.js';
import type { CommandCounter } from '../redis-lua-script.js';
import { PRESENCE_LEAVE, PRESENCE_LOCATE, PRESENCE_TICK } from './redis-presence-scripts.js';

export interface RedisPresenceOptions {
  /** The command connection (the bus's current one). */
  readonly redis: () => Redis;
  readonly keys: RedisBusKeys;
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly counter: CommandCounter;
  readonly scheduler: SchedulerLike;
  /** The epoch a tick should set when Redis has none (it lost its data). */
  readonly epochCandidate: () => string;
  /** A tick went through: the epoch Redis has now. */
  readonly ticked: (epoch: string) => void;
  /** A tick failed, or Redis has not answered one for `leaseMs`. */
  readonly failed: (error: Error) => void;
}

/**
 * Presence over Redis with leases. Joins and leaves are batched: all those of one turn of the
 * event loop travel in one script call, not one round trip per client. Every `renewMs` (and
 * whenever another node announces a change) one call renews this node's lease, sweeps nodes whose
 * lease ran out together with their clients, and brings back the live nodes for `nodes$`.
 *
 * Bounds: a change shows on every node within one renew interval (usually at once: changes are
 * announced on `<prefix>:presence`); a node that dies without leaving is gone within
 * `leaseMs + renewMs`. After a failed tick, or a lost lease, the next tick sends all of this
 * node's clients again, so what Redis holds converges back to the truth.
 */
export class RedisPresence implements ClusterPresence {
  private readonly local = new Set<string>();
  private pending = new Map<string, boolean>();
  /** The next tick sends every local client (after a start, a failure, or a lost lease). */
  private replaceNext = true;
  private inFlightSince: number | undefined;
  private again = false;
  private scheduled = false;
  private active = false;
  private renewing: Subscription | undefined;
  private readonly nodesSubject = new BehaviorSubject<readonly ClusterNode[]>([]);
  private lastNodes = '[]';
  readonly nodes$: Observable<readonly ClusterNode[]> = this.nodesSubject.asObservable();
  readonly count$: Observable<number> = this.nodes$.pipe(map(totalClients), distinctUntilChanged());

  constructor(private readonly options: RedisPresenceOptions) {}

  join(clientId: string): void {
    this.local.add(clientId);
    this.pending.set(clientId, true);
    this.schedule();
  }

  leave(clientId: string): void {
    if (!this.local.delete(clientId)) return;
    this.pending.set(clientId, false);
    this.schedule();
  }

  async locate(clientId: string): Promise<string | undefined> {
    const { redis, keys, counter } = this.options;
    const node = await PRESENCE_LOCATE.run(redis(), counter, [keys.clients, keys.nodes], [clientId]);
    return typeof node === 'string' ? node : undefined;
  }

  /** Takes the lease (rejects when Redis does not answer) and renews it from now on. */
  async start(): Promise<void> {
    this.active = true;
    this.replaceNext = true;
    await this.tickOnce();
    const { renewMs, scheduler } = this.options;
    this.renewing = interval(renewMs, scheduler).subscribe(() => this.renew());
  }

  /** Leaves at once: this node and its clients are gone from every node's view. */
  async stop(): Promise<void> {
    this.active = false;
    this.renewing?.unsubscribe();
    const { redis, keys, counter, nodeId } = this.options;
    try {
      await PRESENCE_LEAVE.run(redis(), counter, [keys.nodes, keys.counts, keys.clients, keys.presenceChannel], [keys.prefix, nodeId]);
    } finally {
      this.local.clear();
      this.pending.clear();
      this.lastNodes = '[]';
      this.nodesSubject.next([]);
    }
  }

  /** Asks for a tick soon (another node changed presence, or the bus recovered). */
  refresh(): void {
    if (!this.active) return;
    if (this.inFlightSince !== undefined) this.again = true;
    else void this.tickOnce().catch(() => undefined);
  }

  /** Forces every local client to be sent again on the next tick. */
  resend(): void {
    this.replaceNext = true;
  }

  private renew(): void {
    const { scheduler, leaseMs } = this.options;
    const since = this.inFlightSince;
    if (since !== undefined && scheduler.now() - since >= leaseMs) {
      this.options.failed(new Error(`Redis has not answered for ${scheduler.now() - since} ms (leaseMs ${leaseMs})`));
    }
    this.refresh();
  }

  private schedule(): void {
    if (this.scheduled || !this.active) return;
    this.scheduled = true;
    this.options.scheduler.schedule(() => {
      this.scheduled = false;
      this.refresh();
    });
  }

  /** One tick; rejects (after reporting) when it fails. */
  private async tickOnce(): Promise<void> {
    const { redis, keys, nodeId, leaseMs, counter, scheduler } = this.options;
    const replace = this.replaceNext;
    const joins: string[] = [];
    const leaves: string[] = [];
    if (replace) joins.push(...this.local);
    else for (const [clientId, joined] of this.pending) (joined ? joins : leaves).push(clientId);
    this.pending = new Map();
    this.replaceNext = false;
    this.inFlightSince = scheduler.now();
    try {
      const keyList = [keys.nodes, keys.counts, keys.clients, keys.nodeClients(nodeId), keys.epoch, keys.presenceChannel];
      const args = [keys.prefix, nodeId, leaseMs, this.options.epochCandidate(), replace ? 1 : 0, joins.length, ...joins, ...leaves];
      const reply = (await PRESENCE_TICK.run(redis(), counter, keyList, args)) as unknown[];
      const [epoch, lost] = reply;
      if (lost === 1) {
        this.replaceNext = true;
        this.again = true;
      }
      this.see(reply.slice(2));
      this.options.ticked(String(epoch));
    } catch (error) {
      this.replaceNext = true;
      const cause = error instanceof Error ? error : new Error(String(error));
      if (this.active) this.options.failed(cause);
      throw cause;
    } finally {
      this.inFlightSince = undefined;
      if (this.again && this.active) {
        this.again = false;
        this.refresh();
      }
    }
  }

  private see(pairs: readonly unknown[]): void {
    if (!this.active) return;
    const nodes: ClusterNode[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) nodes.push({ nodeId: String(pairs[i]), clients: Number(pairs[i + 1]) });
    nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    const seen = JSON.stringify(nodes);
    if (seen === this.lastNodes) return;
    this.lastNodes = seen;
    this.nodesSubject.next(nodes);
  }
}
