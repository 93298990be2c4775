import type { Socket } from 'node:net';
import type { Observable } from 'rxjs';
import type { WebSocket } from 'ws';
import { batchWrites, type TurnMark } from '../flow/write-batch.js';
import type { EncodedFrame, PeerLink } from './edge.js';
import { readReceipt } from './read-receipt.js';
import { wsTextFrame } from './ws-frame.js';

/**
 * One ws socket as a {@link PeerLink}. The peer's handle rides along, so the shared listeners find
 * it from the socket in one lookup and no per-socket closure exists.
 */
export class WsLink implements PeerLink, TurnMark {
  /** The server's handle for the peer on this socket; set once the server has accepted it. */
  peer: unknown;
  /** The turn of the event loop this link was last written in (see `batchWrites`). */
  turn = 0;
  /**
   * No extension negotiated: ws writes each frame to the socket as it is sent, never queueing, so a
   * frame made once for a broadcast can go to the socket directly, in order with ws's own frames.
   */
  private readonly plain: boolean;

  constructor(
    readonly socket: WebSocket,
    /** The TCP (or TLS) socket under the WebSocket: where frames made once go, and writes are batched. */
    private readonly tcp: Socket,
  ) {
    this.plain = socket.extensions === '';
  }

  get isOpen(): boolean {
    return this.socket.readyState === 1;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  write(data: string | Buffer, written?: (error?: Error) => void): void {
    // A Buffer goes out as text too: it is JSON's UTF-8, encoded once for every client of a broadcast.
    if (typeof data === 'string') this.socket.send(data, written);
    else this.socket.send(data, AS_TEXT, written);
  }

  writeFrame(frame: EncodedFrame): void {
    if (this.plain) this.tcp.write(wsTextFrame(frame));
    else this.socket.send(frame.bytes, AS_TEXT);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState !== 3) this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  hold(): void {
    if (this.socket.readyState === 1) batchWrites(this.tcp, this);
  }

  ping(): void {
    this.socket.ping();
  }

  readReceipt(): Observable<void> {
    return readReceipt(this.socket);
  }
}

/** ws's send options for bytes that are JSON text (ws does not change the object it is given). */
const AS_TEXT = { binary: false } as const;
