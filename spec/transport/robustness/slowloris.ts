/**
 * A slowloris attacker: keeps `size` upgrade requests open that never finish their headers. Each
 * sends the start of a request, then one more header byte every `trickleMs` (so the connection is
 * never idle for long), and is opened again after the server closes it, until `stop()`.
 */
import { RawTcp } from '../../support/raw-upgrade.js';
import { track } from '../../support/resources.js';

export interface SlowlorisOptions {
  readonly port: number;
  /** Requests kept open at once. */
  readonly size: number;
  /** Where the attack comes from (any of 127.0.0.0/8 reaches a loopback server on Linux). */
  readonly localAddress: string;
  /** Gap between trickled bytes, ms. Default 50. */
  readonly trickleMs?: number;
  /** How soon a slot whose request the server closed is opened again, at the earliest, ms after it was last opened. Default 100. */
  readonly reopenAfterMs?: number;
}

export class Slowloris {
  /** Every request the attack has opened, in order. */
  readonly opened: RawTcp[] = [];
  private readonly live = new Set<RawTcp>();
  /** Connections being opened right now. */
  private readonly opening = new Set<Promise<void>>();
  private readonly trickle: ReturnType<typeof setInterval>;
  private attacking = true;

  private constructor(private readonly options: SlowlorisOptions) {
    this.trickle = setInterval(() => {
      for (const request of this.live) request.write('a');
    }, options.trickleMs ?? 50);
  }

  /** Opens `size` stalled requests and resolves once all are connected. */
  static async start(options: SlowlorisOptions): Promise<Slowloris> {
    const attack = track(new Slowloris(options), (opened) => opened.dispose());
    await Promise.all(Array.from({ length: options.size }, () => attack.openSlot()));
    return attack;
  }

  /** Stops opening new requests; those open keep trickling until the server closes them. */
  stop(): void {
    this.attacking = false;
  }

  /** Resolves once the server has closed every request the attack opened (the attacker never closes one itself). */
  async allClosed(): Promise<void> {
    this.stop();
    await Promise.all(this.opening);
    await Promise.all(this.opened.map((request) => request.closed));
    clearInterval(this.trickle);
  }

  private dispose(): void {
    this.stop();
    clearInterval(this.trickle);
  }

  private openSlot(): Promise<void> {
    const opening = this.open().finally(() => this.opening.delete(opening));
    this.opening.add(opening);
    return opening;
  }

  private async open(): Promise<void> {
    const openedAt = Date.now();
    const request = await RawTcp.open(this.options.port, this.options.localAddress);
    this.opened.push(request);
    this.live.add(request);
    request.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Slow: `);
    void request.closed.then(() => {
      this.live.delete(request);
      if (!this.attacking) return;
      const wait = Math.max(0, openedAt + (this.options.reopenAfterMs ?? 100) - Date.now());
      setTimeout(() => {
        if (this.attacking) void this.openSlot();
      }, wait);
    });
  }
}
