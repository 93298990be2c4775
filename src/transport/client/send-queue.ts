import { type SchedulerLike, type Subscription, timer } from 'rxjs';
import { QueueExpiredError, QueueFullError, type TransportError } from '../errors.js';

/** Bounds of the client's offline queue. Every bound is enforced; nothing is dropped silently. */
export interface SendQueueLimits {
  /** Most messages waiting at once. */
  readonly maxCount: number;
  /** Most bytes (UTF-8) waiting at once. */
  readonly maxBytes: number;
  /** Longest a message may wait for a connection, ms; then its send rejects with `QueueExpiredError`. */
  readonly maxAgeMs: number;
}

/** Called once per queued message: with no argument when written, with the error when not. */
export type Settle = (error?: TransportError) => void;

interface Pending {
  readonly data: string;
  readonly bytes: number;
  readonly settle: Settle;
  expiry?: Subscription;
}

/**
 * Messages sent while the client is reconnecting wait here, in order, until the next open.
 * Overflow is refused at once (`QueueFullError`); age is enforced by a timer from `scheduler`.
 */
export class SendQueue {
  private readonly pending = new Set<Pending>();
  private bytes = 0;

  constructor(
    private readonly limits: SendQueueLimits,
    private readonly scheduler: SchedulerLike,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** Queues `data`; `settle` reports the outcome. Refuses (and settles at once) when full. */
  enqueue(data: string, settle: Settle): void {
    const bytes = utf8Length(data);
    if (this.pending.size + 1 > this.limits.maxCount || this.bytes + bytes > this.limits.maxBytes) {
      settle(
        new QueueFullError(
          `Send queue is full (${this.pending.size}/${this.limits.maxCount} messages, ` +
            `${this.bytes}/${this.limits.maxBytes} bytes) while the connection is down`,
        ),
      );
      return;
    }
    const entry: Pending = { data, bytes, settle };
    this.pending.add(entry);
    this.bytes += bytes;
    entry.expiry = timer(this.limits.maxAgeMs, this.scheduler).subscribe(() => {
      if (this.remove(entry)) {
        entry.settle(new QueueExpiredError(`Message waited ${this.limits.maxAgeMs} ms for a connection and expired`));
      }
    });
  }

  /** Writes every waiting message in order through `write`, then settles each. */
  flush(write: (data: string, settle: Settle) => void): void {
    for (const entry of [...this.pending]) {
      this.remove(entry);
      write(entry.data, entry.settle);
    }
  }

  /** Settles every waiting message with `error` and empties the queue. */
  rejectAll(error: TransportError): void {
    for (const entry of [...this.pending]) {
      this.remove(entry);
      entry.settle(error);
    }
  }

  private remove(entry: Pending): boolean {
    if (!this.pending.delete(entry)) return false;
    this.bytes -= entry.bytes;
    entry.expiry?.unsubscribe();
    return true;
  }
}

const encoder = new TextEncoder();

/** UTF-8 size without Node's Buffer, so the queue also runs in browsers. */
function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}
