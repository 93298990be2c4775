import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../close-codes.js';

/** A viewer whose socket holds more than this unsent is dropped, never buffered for: bytes. */
export const MAX_VIEWER_BUFFER = 512 * 1024;

/**
 * The pages watching the live feed: sockets of their own, apart from the server's clients (not
 * counted, not in broadcasts, not on `connections$`). Each frame is encoded once for all of them;
 * a viewer that does not keep up is terminated, so a stalled page costs at most its buffer.
 */
export class DashboardViewers {
  private readonly sockets = new Set<WebSocket>();
  /** Viewers dropped for not keeping up, since the server started. */
  dropped = 0;
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: 1024, perMessageDeflate: false });

  constructor(private readonly maxViewers: number) {}

  get size(): number {
    return this.sockets.size;
  }

  get full(): boolean {
    return this.sockets.size >= this.maxViewers;
  }

  /** Completes the upgrade; the new viewer is sent `hello()` first. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer, hello: () => string): void {
    this.wss.handleUpgrade(request, socket, head, (viewer) => {
      this.sockets.add(viewer);
      viewer.on('error', () => viewer.terminate());
      viewer.on('close', () => this.sockets.delete(viewer));
      // The page only listens; anything it sends is ignored (maxPayload bounds it).
      viewer.send(hello());
    });
  }

  /** Sends one encoded frame to every viewer that keeps up; drops those that do not. */
  send(frame: string): void {
    for (const viewer of this.sockets) {
      if (viewer.readyState !== 1) continue;
      if (viewer.bufferedAmount > MAX_VIEWER_BUFFER) {
        this.dropped++;
        this.sockets.delete(viewer);
        viewer.terminate();
        continue;
      }
      viewer.send(frame);
    }
  }

  /** Closes every viewer with 1001 (going away). */
  close(): void {
    for (const viewer of this.sockets) viewer.close(CloseCode.GoingAway, 'Server stopping');
    this.sockets.clear();
    this.wss.close();
  }
}
