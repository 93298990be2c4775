import { asyncScheduler, type SchedulerLike, type Subscription, timer } from 'rxjs';
import { ReceiveTimeoutError, type TransportError } from '../errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: TransportError): void;
  timeout?: Subscription;
}

/**
 * A bounded buffer behind `receiveMessage()`: messages that arrive between two calls wait here,
 * up to `capacity`; past that the oldest is dropped and `onOverflow` is told once per episode
 * (until the next read), so a reader that never comes costs bounded memory and one warning.
 */
export class Inbox<T> {
  private readonly buffer: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private overflowing = false;
  private closedWith: TransportError | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onOverflow: (dropped: T) => void,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  get length(): number {
    return this.buffer.length;
  }

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.timeout?.unsubscribe();
      waiter.resolve(item);
      return;
    }
    if (this.capacity <= 0) return;
    this.buffer.push(item);
    if (this.buffer.length > this.capacity) {
      const dropped = this.buffer.shift() as T;
      if (!this.overflowing) {
        this.overflowing = true;
        this.onOverflow(dropped);
      }
    }
  }

  /** The oldest buffered item, or the next to arrive; rejects after `timeoutMs` if given. */
  take(timeoutMs?: number): Promise<T> {
    if (this.buffer.length > 0) {
      this.overflowing = false;
      return Promise.resolve(this.buffer.shift() as T);
    }
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timeout = timer(timeoutMs, this.scheduler).subscribe(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new ReceiveTimeoutError(`No message arrived within ${timeoutMs} ms`));
        });
      }
      this.waiters.push(waiter);
    });
  }

  /** Rejects every waiting and future `take` with `error` once the buffer is empty. */
  close(error: TransportError): void {
    this.closedWith = error;
    for (const waiter of this.waiters.splice(0)) {
      waiter.timeout?.unsubscribe();
      waiter.reject(error);
    }
  }
}
