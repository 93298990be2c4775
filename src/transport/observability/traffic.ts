/**
 * Totals of what a server took in and handed out, kept as plain numbers on the hot path (no
 * Observable per frame): a metrics collector reads them when scraped.
 */
export interface TrafficTotals {
  /** Frames received from clients (good or bad). */
  readonly messagesIn: number;
  /** Their size: bytes of binary frames, UTF-16 code units of text frames (equal to bytes for ASCII JSON). */
  readonly bytesIn: number;
  /** Messages handed to a client's connection (a slow-consumer policy may still drop them). */
  readonly messagesOut: number;
  /** Their size, counted as `bytesIn` is. */
  readonly bytesOut: number;
}

/** The server's counters (one per server, shared by its connections). */
export class Traffic implements TrafficTotals {
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;

  received(length: number): void {
    this.messagesIn++;
    this.bytesIn += length;
  }

  sent(length: number): void {
    this.messagesOut++;
    this.bytesOut += length;
  }
}
