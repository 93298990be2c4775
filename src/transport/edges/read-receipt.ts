import { Observable } from 'rxjs';
import { WebSocket, type RawData } from 'ws';

/** The payload of a receipt ping is this prefix and a sequence number; a heartbeat's ping is empty. */
const PREFIX = 'rr';

/**
 * The receipts still awaited on one socket. A client reads its socket in order and ws, browsers
 * and undici answer a ping as they read it, so the pong to a ping proves that everything sent
 * before the ping has been read. A peer may answer only the latest of several pings (RFC 6455
 * §5.5.3), so the pong to receipt n settles every receipt up to n.
 */
class PendingReceipts {
  private lastSent = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly socket: WebSocket) {}

  /** Pings and calls `settled` once the pong comes back or the socket closes; the result forgets it. */
  await(settled: () => void): () => void {
    const seq = (this.lastSent += 1);
    if (this.waiting.size === 0) {
      this.socket.on('pong', onPong);
      this.socket.on('close', onClose);
    }
    this.waiting.set(seq, settled);
    this.socket.ping(PREFIX + String(seq));
    return () => this.forget(seq);
  }

  pong(data: RawData): void {
    const text = Buffer.isBuffer(data) ? data.toString('latin1') : '';
    if (!text.startsWith(PREFIX)) return;
    const answered = Number(text.slice(PREFIX.length));
    if (!Number.isSafeInteger(answered)) return;
    this.settle((seq) => seq <= answered);
  }

  /** The socket is gone: nothing more can be read, and nothing waits any longer. */
  closed(): void {
    this.settle(() => true);
  }

  private settle(which: (seq: number) => boolean): void {
    const due: (() => void)[] = [];
    for (const [seq, settled] of this.waiting) {
      if (!which(seq)) break; // ascending: the first one not due ends the run
      due.push(settled);
      this.waiting.delete(seq);
    }
    if (this.waiting.size === 0) this.stopListening();
    for (const settled of due) settled();
  }

  private forget(seq: number): void {
    if (this.waiting.delete(seq) && this.waiting.size === 0) this.stopListening();
  }

  private stopListening(): void {
    this.socket.off('pong', onPong);
    this.socket.off('close', onClose);
  }
}

/** Per socket, so that sequence numbers keep rising for the socket's life and a late pong settles nothing new. */
const receipts = new WeakMap<WebSocket, PendingReceipts>();

/** Shared by every socket (`this` is the socket): no closure per connection. */
function onPong(this: WebSocket, data: RawData): void {
  receipts.get(this)?.pong(data);
}

function onClose(this: WebSocket): void {
  receipts.get(this)?.closed();
}

/**
 * Emits once, then completes, when the peer has read everything sent on `socket` before the
 * subscription: a ping with a numbered payload goes out behind those frames, and its pong comes
 * back. Also emits when the socket closes (nothing more will be read), and at once when it is not
 * open. Unsubscribing stops waiting; a pong that comes later settles nothing.
 *
 * A frame held back by the slow-consumer gate has not reached ws yet, so the ping overtakes it.
 *
 * @example
 * race(readReceipt(socket), timer(2000, scheduler)).subscribe(() => sendTheReply());
 */
export function readReceipt(socket: WebSocket): Observable<void> {
  return new Observable<void>((subscriber) => {
    const settled = (): void => {
      subscriber.next();
      subscriber.complete();
    };
    if (socket.readyState !== WebSocket.OPEN) {
      settled();
      return undefined;
    }
    let pending = receipts.get(socket);
    if (!pending) {
      pending = new PendingReceipts(socket);
      receipts.set(socket, pending);
    }
    return pending.await(settled);
  });
}
