/**
 * Hands items to a consumer in order, one microtask apart.
 *
 * Why the gap: the official SDK (1.32) runs a notification's handler one microtask after it
 * receives the notification, but settles a response at once and forgets the request's progress
 * handler with it. Messages handed over back to back (several frames read in one chunk, or the
 * replay after a resumed session) would let a response overtake the progress sent before it. With
 * one microtask between deliveries, each notification's handler has run before the next message
 * arrives.
 */
export class OrderedDelivery<T> {
  private readonly queue: T[] = [];
  private scheduled = false;
  /** Set by `end()`: called once the queue has drained; nothing is accepted after. */
  private onEnd: (() => void) | undefined;
  private ended = false;

  constructor(private readonly deliver: (item: T) => void) {}

  /** Queues one item; ignored once `end()` or `clear()` was called. */
  push(item: T): void {
    if (this.ended) return;
    this.queue.push(item);
    this.schedule();
  }

  /** Delivers what is queued, then calls `then` (in a microtask, also when nothing is queued). */
  end(then: () => void): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd = then;
    this.schedule();
  }

  /** Drops what is queued, and the `end()` callback with it: nothing is delivered any more. */
  clear(): void {
    this.ended = true;
    this.queue.length = 0;
    this.onEnd = undefined;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // A microtask, not a timer: the gap must be exactly one turn of the SDK's Promise.resolve().then().
    queueMicrotask(() => this.next());
  }

  private next(): void {
    this.scheduled = false;
    if (this.queue.length > 0) {
      // `deliver` must not throw (the owner catches): the chain would stop.
      this.deliver(this.queue.shift() as T);
      if (this.queue.length > 0 || this.onEnd) this.schedule();
      return;
    }
    const then = this.onEnd;
    this.onEnd = undefined;
    then?.();
  }
}
