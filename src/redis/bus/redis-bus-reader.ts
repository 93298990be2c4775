import type { Redis } from 'ioredis';
import type { BusEnvelope } from '../../transport/cluster/cluster-bus.js';
import type { CommandCounter } from '../redis-lua-script.js';

/** How long one `XREAD` blocks before asking again, ms: short enough to notice a stop quickly. */
const BLOCK_MS = 2000;

/** One stream entry as ioredis returns it: `[id, [field, value, …]]`. */
type StreamEntry = [id: string, fields: string[]];

export interface StreamReaderOptions {
  readonly redis: Redis;
  readonly key: string;
  readonly nodeId: string;
  readonly batch: number;
  readonly counter: CommandCounter;
  /** An envelope another node published, in stream order. */
  readonly deliver: (envelope: BusEnvelope) => void;
  /** A read failed (the connection dropped, most likely): the reader waits for {@link BusStreamReader.resume}. */
  readonly failed: (error: unknown) => void;
}

/**
 * The blocking `XREAD` loop on a connection of its own: takes up to `batch` envelopes per round
 * trip from where it last was, skips this node's own, and hands the rest on without parsing their
 * data. After a failure it holds still until the bus has checked what was lost, then goes on from
 * its last id — so a short drop loses nothing the stream still holds.
 */
export class BusStreamReader {
  private id = '0-0';
  /** Bumped when the position is moved from outside: a read in flight from the old one is dropped. */
  private generation = 0;
  private running = false;
  private held: { promise: Promise<void>; release: () => void } | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: StreamReaderOptions) {}

  /** The id of the last entry read (or skipped): where the next read starts. */
  get lastId(): string {
    return this.id;
  }

  /** Whether it is waiting for `resume()` after a failure. */
  get isHeld(): boolean {
    return this.held !== undefined;
  }

  start(fromId: string): void {
    this.id = fromId;
    this.running = true;
    this.loop = this.run();
  }

  /** Goes on reading, from `fromId` when given (a new epoch's stream is read from its start). */
  resume(fromId?: string): void {
    if (fromId !== undefined && fromId !== this.id) {
      this.id = fromId;
      this.generation += 1;
    }
    const held = this.held;
    this.held = undefined;
    held?.release();
  }

  /** Ends the loop; the caller closes the connection, which ends a read in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.resume();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { redis, key, batch, counter } = this.options;
    while (this.running) {
      if (this.held) await this.held.promise;
      if (this.isStopped()) return;
      const generation = this.generation;
      let reply: unknown;
      try {
        counter.count += 1;
        reply = await redis.xread('COUNT', batch, 'BLOCK', BLOCK_MS, 'STREAMS', key, this.id);
      } catch (error) {
        if (this.isStopped()) return;
        this.hold();
        this.options.failed(error);
        continue;
      }
      if (reply && generation === this.generation) this.consume(reply as [string, StreamEntry[]][]);
    }
  }

  /** Read anew each time: `stop()` may have run during an await. */
  private isStopped(): boolean {
    return !this.running;
  }

  private hold(): void {
    let release = (): void => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  private consume(reply: readonly [string, StreamEntry[]][]): void {
    const { nodeId, deliver } = this.options;
    for (const [, entries] of reply) {
      for (const [id, fields] of entries) {
        this.id = id;
        const envelope = envelopeOf(id, fields);
        if (envelope && envelope.from !== nodeId) deliver(envelope);
      }
    }
  }
}

/** An entry written by `publish` (`f <from> t <topic> d <data>`); anything else is not ours. */
export function envelopeOf(id: string, fields: readonly string[]): BusEnvelope | undefined {
  const [f, from, t, topic, d, data] = fields;
  if (f !== 'f' || t !== 't' || d !== 'd' || from === undefined || topic === undefined || data === undefined) return undefined;
  return { from, topic, data, position: id };
}
