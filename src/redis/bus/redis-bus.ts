import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { firstValueFrom, interval, race, Subject, timer, map, type Observable, type Subscription } from 'rxjs';
import type { BusEnvelope, BusStatus, ClusterBus, ClusterPresence } from '../../transport/cluster/cluster-bus.js';
import { ClusterError } from '../../transport/errors.js';
import { allReady, closeConnections, openConnections, type BusConnections } from './redis-bus-connections.js';
import { BusHealth } from './redis-bus-health.js';
import { resolveRedisBusOptions, type RedisBusOptions, type ResolvedRedisBusOptions } from './redis-bus-options.js';
import { BusStreamReader, envelopeOf } from './redis-bus-reader.js';
import { CommandCounter } from '../redis-lua-script.js';
import { CHECK_GAP, JOIN_STREAM, READ_SINCE, TRIM_BY_AGE } from './redis-bus-scripts.js';
import { RedisPresence } from './redis-presence.js';

/** How long to wait before checking again after a recovery attempt failed, ms. */
const RECOVERY_RETRY_MS = 200;

/**
 * A {@link ClusterBus} over Redis: nodes in many processes share broadcasts, sends to a node and
 * presence. A publish is one `XADD` to the stream `<prefix>:bus`; every node reads it with a
 * blocking `XREAD` (many envelopes per round trip) and, after a reconnect, goes on from the last
 * id it read — nothing the stream still holds is lost. A send to a node is a `PUBLISH` on
 * `<prefix>:node:<id>`. Presence keeps leases, so a node killed with -9 vanishes with its clients.
 * `<prefix>:epoch` tells a Redis that lost its data (restart, FLUSHALL, failover) from one that did
 * not: `status$` says `resubscribed` with `missed: true`, never a silent gap.
 *
 * @example
 * import { RedisBus } from 'nexus-mcp/redis';
 * const server = new WebSocketServerTransport({ port: 3001, cluster: new RedisBus({ url: 'redis://redis:6379' }) });
 */
export class RedisBus implements ClusterBus {
  readonly nodeId: string;
  readonly presence: ClusterPresence;
  readonly inbound$: Observable<BusEnvelope>;
  readonly status$: Observable<BusStatus>;
  private readonly options: ResolvedRedisBusOptions;
  private readonly counter = new CommandCounter();
  private readonly inbound = new Subject<BusEnvelope>();
  private readonly health: BusHealth;
  private readonly present: RedisPresence;
  private connections: BusConnections | undefined;
  private reader: BusStreamReader | undefined;
  private currentEpoch: string | undefined;
  private started = false;
  private recovering = false;
  private recoverAgain = false;
  private trimming: Subscription | undefined;

  constructor(options: RedisBusOptions = {}) {
    this.options = resolveRedisBusOptions(options, (url, needed) => new Redis(url, needed));
    this.nodeId = this.options.nodeId;
    this.inbound$ = this.inbound.asObservable();
    this.health = new BusHealth(this.options.scheduler);
    this.status$ = this.health.status$;
    const { keys, leaseMs, renewMs, scheduler } = this.options;
    this.present = new RedisPresence({
      redis: () => this.commandConnection(),
      keys,
      nodeId: this.nodeId,
      leaseMs,
      renewMs,
      scheduler,
      counter: this.counter,
      epochCandidate: randomUUID,
      ticked: (epoch) => this.ticked(epoch),
      failed: (error) => this.lost(error),
    });
    this.presence = this.present;
  }

  /** The epoch of the Redis data this node works with; `undefined` before `start()`. */
  get epoch(): string | undefined {
    return this.currentEpoch;
  }

  /**
   * Commands this bus has sent to Redis so far, all connections together: a diagnostic (the
   * benchmark's "Redis commands per broadcast"). A publish is exactly one.
   */
  get commands(): number {
    return this.counter.count;
  }

  /** The stream id of the last envelope this node read: a position for {@link readSince}. */
  get lastPosition(): string | undefined {
    return this.reader?.lastId;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const { keys, open } = this.options;
    const connections = await openConnections(open, {
      closed: (error) => this.lost(error ?? new Error('The Redis connection closed')),
      ready: () => this.scheduleRecovery(),
    }).catch((error: unknown) => {
      throw new ClusterError(`Could not connect to Redis: ${messageOf(error)}`, { cause: error });
    });
    this.connections = connections;
    try {
      connections.subscriber.on('message', (channel: string, message: string) => this.heard(channel, message));
      this.counter.count += 1;
      await connections.subscriber.subscribe(keys.nodeChannel(this.nodeId), keys.presenceChannel);
      const [epoch, lastId] = (await JOIN_STREAM.run(connections.command, this.counter, [keys.epoch, keys.bus], [randomUUID()])) as [string, string];
      this.currentEpoch = epoch;
      this.started = true;
      await this.present.start();
      this.reader = this.startReader(connections, lastId);
      this.trimming = this.trimByAge();
    } catch (error) {
      this.started = false;
      this.connections = undefined;
      closeConnections(connections);
      throw new ClusterError(`Could not join the cluster on Redis: ${messageOf(error)}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    const connections = this.connections;
    if (!this.started || !connections) return;
    this.started = false;
    this.trimming?.unsubscribe();
    // A frozen Redis must not hold up a stop: leaving is tried for one lease at most.
    const left = this.present.stop().catch(() => undefined);
    await firstValueFrom(race(timer(this.options.leaseMs, this.options.scheduler).pipe(map(() => undefined)), left));
    closeConnections(connections);
    await this.reader?.stop();
    this.connections = undefined;
  }

  publish(topic: string, data: string): Promise<void> {
    // Not async (no extra turn on the hot path), so a bus that is not started rejects rather than throws.
    if (!this.started || !this.connections) return Promise.reject(new ClusterError('The Redis bus is not started'));
    const { command } = this.connections;
    const { keys, streamMaxLen } = this.options;
    this.counter.count += 1;
    return command.xadd(keys.bus, 'MAXLEN', '~', streamMaxLen, '*', 'f', this.nodeId, 't', topic, 'd', data).then(
      () => undefined,
      (error: unknown) => Promise.reject(new ClusterError(`Could not publish on Redis: ${messageOf(error)}`, { cause: error })),
    );
  }

  async sendToNode(nodeId: string, topic: string, data: string): Promise<boolean> {
    const { command } = this.connected();
    this.counter.count += 1;
    try {
      const receivers = await command.publish(this.options.keys.nodeChannel(nodeId), JSON.stringify([this.nodeId, topic, data]));
      return receivers > 0;
    } catch (error) {
      throw new ClusterError(`Could not send to node ${nodeId} on Redis: ${messageOf(error)}`, { cause: error });
    }
  }

  async readSince(position: string): Promise<readonly BusEnvelope[] | undefined> {
    const { command } = this.connected();
    const { keys, readSinceLimit } = this.options;
    const reply = await READ_SINCE.run(command, this.counter, [keys.epoch, keys.bus], [this.currentEpoch ?? '', position, readSinceLimit]);
    if (!Array.isArray(reply)) return undefined;
    const envelopes: BusEnvelope[] = [];
    for (const [id, fields] of reply as [string, string[]][]) {
      const envelope = envelopeOf(id, fields);
      if (envelope) envelopes.push(envelope);
    }
    return envelopes;
  }

  private commandConnection(): Redis {
    if (!this.connections) throw new ClusterError('The Redis bus is not started');
    return this.connections.command;
  }

  private connected(): BusConnections {
    if (!this.started || !this.connections) throw new ClusterError('The Redis bus is not started');
    return this.connections;
  }

  private startReader(connections: BusConnections, lastId: string): BusStreamReader {
    const reader = new BusStreamReader({
      redis: connections.reader,
      key: this.options.keys.bus,
      nodeId: this.nodeId,
      batch: this.options.readBatch,
      counter: this.counter,
      deliver: (envelope) => this.inbound.next(envelope),
      failed: (error) => {
        this.lost(error instanceof Error ? error : new Error(String(error)));
        this.scheduleRecovery();
      },
    });
    reader.start(lastId);
    return reader;
  }

  /** `streamMaxAgeMs`: every few seconds, entries older than that leave the stream (MAXLEN bounds it meanwhile). */
  private trimByAge(): Subscription | undefined {
    const { streamMaxAgeMs, renewMs, scheduler, keys } = this.options;
    if (streamMaxAgeMs === undefined) return undefined;
    return interval(Math.max(1000, renewMs), scheduler).subscribe(() => {
      const connections = this.connections;
      if (!connections || this.health.isDown) return;
      // A failed trim is retried on the next tick; the stream stays bounded by streamMaxLen meanwhile.
      TRIM_BY_AGE.run(connections.command, this.counter, [keys.bus], [streamMaxAgeMs]).catch(() => undefined);
    });
  }

  private heard(channel: string, message: string): void {
    if (!this.started) return;
    const { keys } = this.options;
    if (channel === keys.presenceChannel) {
      if (message !== this.nodeId) this.present.refresh();
      return;
    }
    const direct = parseDirect(message);
    if (direct) this.inbound.next(direct);
  }

  private lost(error: Error): void {
    if (this.started) this.health.lost(error);
  }

  private ticked(epoch: string): void {
    if (!this.started) return;
    if (this.health.isDown) {
      this.scheduleRecovery();
      return;
    }
    if (epoch === this.currentEpoch) return;
    // Redis lost its data under a connection that stayed up (FLUSHALL): the new stream from its start.
    this.currentEpoch = epoch;
    this.reader?.resume('0-0');
    this.health.lostDataWhileUp();
  }

  private scheduleRecovery(): void {
    if (!this.started || !this.health.isDown) return;
    if (this.recovering) {
      this.recoverAgain = true;
      return;
    }
    this.recovering = true;
    this.recover()
      .catch(() => {
        // Still down: try again a little later (a 'ready' may also come first).
        timer(RECOVERY_RETRY_MS, this.options.scheduler).subscribe(() => this.scheduleRecovery());
      })
      .finally(() => {
        this.recovering = false;
        if (this.recoverAgain) {
          this.recoverAgain = false;
          this.scheduleRecovery();
        }
      });
  }

  /** Back after a loss: resubscribed, the log checked for a gap, presence sent again, then reported. */
  private async recover(): Promise<void> {
    const connections = this.connections;
    const reader = this.reader;
    if (!connections || !reader || !allReady(connections)) return;
    const { keys } = this.options;
    // ioredis resubscribes as the connection becomes ready; a PING after it answers once that is done.
    await Promise.resolve();
    this.counter.count += 1;
    await connections.subscriber.ping();
    const [epoch, gap] = (await CHECK_GAP.run(connections.command, this.counter, [keys.epoch, keys.bus], [randomUUID(), reader.lastId, this.currentEpoch ?? ''])) as [string, number];
    if (!this.started) return;
    if (epoch !== this.currentEpoch) {
      this.currentEpoch = epoch;
      this.health.missed();
      reader.resume('0-0');
    } else {
      if (gap === 1) this.health.missed();
      reader.resume();
    }
    this.present.resend();
    this.present.refresh();
    this.health.recovered();
  }
}

function parseDirect(message: string): BusEnvelope | undefined {
  try {
    const parsed = JSON.parse(message) as unknown;
    if (!Array.isArray(parsed)) return undefined;
    const [from, topic, data] = parsed as unknown[];
    return typeof from === 'string' && typeof topic === 'string' && typeof data === 'string' ? { from, topic, data } : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
