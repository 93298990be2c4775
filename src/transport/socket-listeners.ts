import type { RawData, WebSocket } from 'ws';

/** What the server does with each event of a client's socket; `socket` says which one. */
export interface SocketEventSink {
  frame(socket: WebSocket, data: RawData, isBinary: boolean): void;
  pong(socket: WebSocket): void;
  error(socket: WebSocket, error: Error): void;
  close(socket: WebSocket, code: number, reason: Buffer): void;
}

/**
 * One set of listener functions shared by every socket of a server. An emitter calls a listener
 * with `this` set to itself, so the functions learn the socket from `this` and need no per-socket
 * closures: with 10k idle clients, four closures and their contexts per socket were a tenth of the
 * server's heap (docs/benchmarks.md).
 */
export class SocketListeners {
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onPong: (this: WebSocket) => void;
  private readonly onError: (this: WebSocket, error: Error) => void;
  private readonly onClose: (this: WebSocket, code: number, reason: Buffer) => void;

  constructor(sink: SocketEventSink) {
    this.onMessage = function (data, isBinary) {
      sink.frame(this, data, isBinary);
    };
    this.onPong = function () {
      sink.pong(this);
    };
    this.onError = function (error) {
      sink.error(this, error);
    };
    this.onClose = function (code, reason) {
      sink.close(this, code, reason);
    };
  }

  attach(socket: WebSocket): void {
    socket.on('message', this.onMessage);
    socket.on('pong', this.onPong);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /**
   * Stops hearing frames and pongs. The error listener stays for the socket's life (ws throws on
   * an 'error' event nobody hears) and so does the close listener, which reports the close.
   */
  mute(socket: WebSocket): void {
    socket.off('message', this.onMessage);
    socket.off('pong', this.onPong);
  }
}
