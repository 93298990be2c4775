/**
 * Upgrade requests written by hand onto a plain TCP socket: for peers no WebSocket client would
 * play, such as one that stops halfway through its request headers and trickles a byte now and
 * then (slowloris), or one that waits on a hook and must see the exact HTTP answer.
 */
import { connect, type Socket } from 'node:net';
import { track } from './resources.js';

/** The request line and headers of a valid upgrade request for subprotocol `mcp`, blank line included. */
export function upgradeRequestHead(port: number, path = '/'): string {
  return (
    `GET ${path} HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${port}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    'Sec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Protocol: mcp\r\n' +
    '\r\n'
  );
}

/** A TCP connection to `port` on 127.0.0.1 that collects what it receives and knows when it closed. */
export class RawTcp {
  private received = '';
  /** Resolves once the socket has closed, however it closed. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => undefined); // a reset shows up as 'close' too
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects (from `localAddress` when given: any of 127.0.0.0/8 reaches a loopback server on Linux). */
  static open(port: number, localAddress?: string): Promise<RawTcp> {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
    const raw = track(new RawTcp(socket), (opened) => opened.socket.destroy());
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(raw));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Everything received so far, as text. */
  get text(): string {
    return this.received;
  }

  /** The status code of the HTTP response received so far, if one has started. */
  get status(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return match ? Number(match[1]) : undefined;
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }
}
