import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import { CloseCode } from '../close-codes.js';
import type { PeerLink, Related } from '../edges/edge.js';

/**
 * What happens to messages for a connection whose outbound buffer is over the high watermark.
 *
 * - `disconnect`: close it with 1008 (and drop the socket if the close handshake does not finish
 *   within `closeGraceMs`): the client learns it was cut off instead of silently missing messages.
 * - `drop-newest`: skip the message for this connection; earlier ones still arrive.
 * - `drop-oldest`: hold messages back (up to `maxHeldBytes`), dropping the oldest held ones to make
 *   room; what was already handed to the socket cannot be recalled.
 * - `wait`: hold messages back, in order, until the socket drains; past `maxHeldBytes`, disconnect.
 */
export type SlowConsumerPolicy = 'disconnect' | 'drop-newest' | 'drop-oldest' | 'wait';

/** When a connection counts as congested, and what happens to its messages then (see {@link SlowConsumerPolicy}). */
export interface SlowConsumerOptions {
  /** `bufferedAmount` (bytes) at or above which a connection is congested. Default 8 MiB. */
  readonly highWatermark: number;
  /** `bufferedAmount` at or below which a congested connection counts as drained. Default half the high watermark. */
  readonly lowWatermark: number;
  /** What happens to messages while congested. Default `'disconnect'`. */
  readonly policy: SlowConsumerPolicy;
  /** Bytes held back per connection under `drop-oldest` and `wait`. Default the high watermark. */
  readonly maxHeldBytes: number;
  /** How long a connection closed by the policy gets to finish the close handshake before it is terminated, ms. Default 1000. */
  readonly closeGraceMs: number;
}

export const DEFAULT_HIGH_WATERMARK = 8 * 1024 * 1024;

export function resolveSlowConsumer(options: Partial<SlowConsumerOptions> | false | undefined): SlowConsumerOptions | undefined {
  if (options === false) return undefined;
  const highWatermark = options?.highWatermark ?? DEFAULT_HIGH_WATERMARK;
  const resolved: SlowConsumerOptions = {
    highWatermark,
    lowWatermark: options?.lowWatermark ?? Math.floor(highWatermark / 2),
    policy: options?.policy ?? 'disconnect',
    maxHeldBytes: options?.maxHeldBytes ?? highWatermark,
    closeGraceMs: options?.closeGraceMs ?? 1000,
  };
  if (!(resolved.highWatermark > 0)) throw new RangeError(`slowConsumer.highWatermark must be positive, got ${resolved.highWatermark}`);
  if (!(resolved.lowWatermark >= 0 && resolved.lowWatermark <= resolved.highWatermark)) {
    throw new RangeError(`slowConsumer.lowWatermark must be between 0 and highWatermark, got ${resolved.lowWatermark}`);
  }
  if (!(resolved.maxHeldBytes >= 0)) throw new RangeError(`slowConsumer.maxHeldBytes must be 0 or more, got ${resolved.maxHeldBytes}`);
  return resolved;
}

/**
 * A change in one connection's outbound health. `congested`: crossed the high watermark.
 * `drained`: back under the low watermark with nothing held back. `disconnected`: the policy
 * closed it.
 */
export interface SlowConsumerEvent {
  readonly kind: 'congested' | 'drained' | 'disconnected';
  readonly clientId: string;
  readonly policy: SlowConsumerPolicy;
  /** The socket's `bufferedAmount` when the event happened. */
  readonly bufferedAmount: number;
  /** Messages dropped for this connection since it became congested. */
  readonly dropped: number;
  /** Bytes held back by `drop-oldest`/`wait` when the event happened. */
  readonly heldBytes: number;
}

interface Held {
  readonly data: string | Buffer;
  readonly bytes: number;
  readonly written: ((error?: Error) => void) | undefined;
  readonly related: Related | undefined;
}

/** Passed to the `written` callback of a message the policy dropped. */
const DROPPED = new Error('Dropped by the slow-consumer policy');

/**
 * Every message to one connection passes here. Under the high watermark it goes straight to the
 * link; over it, the policy decides. Draining is noticed through the link's write callbacks,
 * attached only to frames sent while the buffer is above the low watermark, so a healthy connection
 * pays nothing extra; a timer from `scheduler` re-checks if no callback is outstanding.
 */
export class OutboundGate {
  private congested = false;
  private closing = false;
  private dropped = 0;
  private held: Held[] = [];
  private heldHead = 0;
  private heldBytes = 0;
  private pendingCallbacks = 0;
  private recheck: Subscription | undefined;
  private terminateTimer: Subscription | undefined;

  constructor(
    private readonly link: PeerLink,
    private readonly options: SlowConsumerOptions,
    private readonly scheduler: SchedulerLike,
    private readonly report: (event: Omit<SlowConsumerEvent, 'clientId'>) => void,
  ) {}

  /** Messages waiting in this gate (`drop-oldest`, `wait`). */
  get heldCount(): number {
    return this.held.length - this.heldHead;
  }

  /**
   * Sends, holds or drops `data` by the policy. True when it was sent or is held for sending.
   * `written` hears when it reached the network, or (with an error) that it never will.
   */
  send(data: string | Buffer, written?: (error?: Error) => void, related?: Related): boolean {
    if (this.closing || !this.link.isOpen) return false;
    if (this.heldCount === 0 && this.link.bufferedAmount < this.options.highWatermark) {
      this.write(data, written, related);
      return true;
    }
    this.markCongested();
    switch (this.options.policy) {
      case 'disconnect':
        this.disconnect();
        return false;
      case 'drop-newest':
        this.dropped += 1;
        written?.(DROPPED);
        this.watchDrain();
        return false;
      case 'drop-oldest': {
        const entry = this.hold(data, written, related);
        let kept = true;
        while (this.heldBytes > this.options.maxHeldBytes && this.heldCount > 0) {
          if (this.dropOldest() === entry) kept = false;
        }
        this.watchDrain();
        return kept;
      }
      case 'wait':
        this.hold(data, written, related);
        if (this.heldBytes > this.options.maxHeldBytes) {
          this.disconnect();
          return false;
        }
        this.watchDrain();
        return true;
    }
  }

  /** Stops timers; called when the connection has closed. */
  dispose(): void {
    this.closing = true;
    this.recheck?.unsubscribe();
    this.terminateTimer?.unsubscribe();
    this.clearHeld();
  }

  private write(data: string | Buffer, written: ((error?: Error) => void) | undefined, related: Related | undefined): void {
    // A callback only where a drain has to be noticed: on a healthy link, writes stay bare.
    if (this.link.bufferedAmount + data.length > this.options.lowWatermark) {
      this.pendingCallbacks += 1;
      this.link.write(
        data,
        (error) => {
          written?.(error);
          this.onWritten();
        },
        related,
      );
    } else {
      this.link.write(data, written, related);
    }
  }

  private readonly onWritten = (): void => {
    this.pendingCallbacks -= 1;
    this.check();
  };

  private check(): void {
    if (this.closing) return;
    if (!this.link.isOpen) {
      this.clearHeld();
      return;
    }
    if (this.heldCount > 0 && this.link.bufferedAmount <= this.options.lowWatermark) {
      while (this.heldCount > 0 && this.link.bufferedAmount < this.options.highWatermark) {
        const next = this.shiftHeld();
        if (next) this.write(next.data, next.written, next.related);
      }
    }
    if (this.congested && this.heldCount === 0 && this.link.bufferedAmount <= this.options.lowWatermark) {
      this.congested = false;
      this.emit('drained');
      this.dropped = 0;
      return;
    }
    this.watchDrain();
  }

  /** Make sure something will call `check()` again while congested. */
  private watchDrain(): void {
    if (!this.congested || this.pendingCallbacks > 0 || this.recheck) return;
    this.recheck = timer(50, this.scheduler).subscribe(() => {
      this.recheck = undefined;
      this.check();
    });
  }

  private markCongested(): void {
    if (this.congested) return;
    this.congested = true;
    this.emit('congested');
  }

  private disconnect(): void {
    this.closing = true;
    this.emit('disconnected');
    this.clearHeld();
    this.link.close(CloseCode.PolicyViolation, 'Slow consumer: outbound buffer over its limit');
    // The close frame waits behind everything the peer has not read; do not wait for it long.
    this.terminateTimer = timer(this.options.closeGraceMs, this.scheduler).subscribe(() => this.link.terminate());
  }

  private hold(data: string | Buffer, written: ((error?: Error) => void) | undefined, related: Related | undefined): Held {
    const entry: Held = { data, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length, written, related };
    this.held.push(entry);
    this.heldBytes += entry.bytes;
    return entry;
  }

  private dropOldest(): Held | undefined {
    const oldest = this.shiftHeld();
    if (oldest) {
      this.dropped += 1;
      oldest.written?.(DROPPED);
    }
    return oldest;
  }

  private shiftHeld(): Held | undefined {
    const next = this.held[this.heldHead];
    if (!next) return undefined;
    this.heldHead += 1;
    this.heldBytes -= next.bytes;
    // Compact now and then instead of shifting the array on every message.
    if (this.heldHead >= 1024 && this.heldHead * 2 >= this.held.length) {
      this.held = this.held.slice(this.heldHead);
      this.heldHead = 0;
    }
    return next;
  }

  private clearHeld(): void {
    for (let at = this.heldHead; at < this.held.length; at += 1) this.held[at]?.written?.(DROPPED);
    this.held = [];
    this.heldHead = 0;
    this.heldBytes = 0;
  }

  private emit(kind: SlowConsumerEvent['kind']): void {
    this.report({
      kind,
      policy: this.options.policy,
      bufferedAmount: this.link.bufferedAmount,
      dropped: this.dropped,
      heldBytes: this.heldBytes,
    });
  }
}
