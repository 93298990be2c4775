import type { Socket } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ClientConnection, SlowConsumerEvent, SlowConsumerOptions, WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { nextValue, startServer, textOf } from '../../support/sockets.js';

afterEach(closeAll);

const TOTAL = 100_000;
const BATCH = 1000;
const HIGH_WATERMARK = 512 * 1024;
/** About 350 bytes a message: 100k of them (35 MB) are far more than the kernel buffers a paused reader. */
const PADDING = 'x'.repeat(300);
/** ws frame header for a message of this size. */
const FRAME_OVERHEAD = 14;

/**
 * A plain ws client that counts broadcasts by their sequence number and can wait, without
 * polling, until it has seen a given one. `pause()` stops reading its TCP socket.
 */
class Counter {
  readonly received: number[] = [];
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const { seq } = JSON.parse(textOf(data)) as { seq: number };
      this.received.push(seq);
      this.waiters = this.waiters.filter((waiter) => (waiter.seq <= seq ? (waiter.resolve(), false) : true));
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  }

  static async open(url: string): Promise<Counter> {
    const counter = track(new Counter(new WebSocket(url, 'mcp')), async (c) => {
      c.resume();
      c.socket.terminate();
      await c.closed;
    });
    await new Promise<void>((resolve, reject) => {
      counter.socket.once('open', resolve);
      counter.socket.once('error', reject);
    });
    return counter;
  }

  /** Resolves once the message numbered `seq` (or a later one) has arrived. */
  seen(seq: number): Promise<void> {
    if ((this.received.at(-1) ?? -1) >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  pause(): void {
    (this.socket as unknown as { _socket: Socket })._socket.pause();
  }

  resume(): void {
    (this.socket as unknown as { _socket: Socket })._socket.resume();
  }
}

interface Run {
  readonly server: WebSocketServerTransport;
  readonly slow: Counter;
  readonly fast: readonly Counter[];
  readonly slowConnection: ClientConnection;
  readonly events: SlowConsumerEvent[];
  /** The highest `bufferedAmount` of the slow connection seen after any send. */
  readonly maxBuffered: number;
  readonly messageBytes: number;
}

/**
 * Three clients, one of which stops reading; the server broadcasts TOTAL numbered messages in
 * batches, each batch sent once the fast clients have received the previous one (so the fast
 * ones never lag and only the paused one builds up a backlog).
 */
async function broadcastPastAPausedClient(slowConsumer: Partial<SlowConsumerOptions> | false): Promise<Run> {
  const { server, url } = await startServer({ slowConsumer, messageRate: false });
  const events: SlowConsumerEvent[] = [];
  server.slowConsumer$.subscribe((event) => events.push(event));
  const firstConnection = nextValue(server.connections$);
  const slow = await Counter.open(url);
  const slowConnection = await firstConnection;
  const fast = [await Counter.open(url), await Counter.open(url)];
  slow.pause();

  let maxBuffered = 0;
  for (let start = 0; start < TOTAL; start += BATCH) {
    for (let seq = start; seq < start + BATCH; seq += 1) {
      await server.sendMessage({ seq, padding: PADDING });
      maxBuffered = Math.max(maxBuffered, slowConnection.bufferedAmount);
    }
    await Promise.all(fast.map((client) => client.seen(start + BATCH - 1)));
  }
  const messageBytes = JSON.stringify({ seq: TOTAL, padding: PADDING }).length;
  return { server, slow, fast, slowConnection, events, maxBuffered, messageBytes };
}

function expectEveryMessage(client: Counter, total = TOTAL): void {
  expect(client.received).toHaveLength(total);
  expect(client.received.every((seq, index) => seq === index)).toBe(true);
}

function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((value, index) => index === 0 || value > (values[index - 1] ?? -Infinity));
}

describe('slow consumers', () => {
  it('control: with the policy switched off, the paused client makes the server buffer tens of megabytes', async () => {
    const run = await broadcastPastAPausedClient(false);
    // What every test below would see without its policy: the setup really builds pressure.
    expect(run.maxBuffered).toBeGreaterThan(8 * HIGH_WATERMARK);
    expect(run.events).toEqual([]);
  });

  it("by default ('disconnect') a client that stops reading is closed with 1008 once over the watermark; the others get every message", async () => {
    const run = await broadcastPastAPausedClient({ highWatermark: HIGH_WATERMARK, closeGraceMs: 200 });
    expect(run.events.map((event) => event.kind)).toEqual(['congested', 'disconnected']);
    expect(run.events[1]).toMatchObject({ policy: 'disconnect', clientId: run.slowConnection.id });
    expect(run.maxBuffered).toBeLessThanOrEqual(HIGH_WATERMARK + run.messageBytes + FRAME_OVERHEAD);
    await lastValueFrom(run.slowConnection.closed$);
    expect(run.server.getConnectedClients()).toBe(2);
    for (const client of run.fast) expectEveryMessage(client);
  });

  it("'drop-newest' keeps the slow client connected and its buffer bounded; after it resumes it has an in-order subset", async () => {
    const run = await broadcastPastAPausedClient({ highWatermark: HIGH_WATERMARK, policy: 'drop-newest' });
    expect(run.maxBuffered).toBeLessThanOrEqual(HIGH_WATERMARK + run.messageBytes + FRAME_OVERHEAD);
    const drained = nextValue(run.server.slowConsumer$, (event) => event.kind === 'drained', 'the drain');
    run.slow.resume();
    const { dropped } = await drained;
    expect(dropped).toBeGreaterThan(0);
    await run.server.sendMessage({ seq: TOTAL, padding: PADDING });
    await run.slow.seen(TOTAL);
    expect(strictlyIncreasing(run.slow.received)).toBe(true);
    expect(run.slow.received).toHaveLength(TOTAL - dropped + 1);
    expect(run.slow.received).not.toContain(TOTAL - 1); // the newest were the ones dropped
    // The fast clients got the extra message too; wait for it rather than race it.
    await Promise.all(run.fast.map((client) => client.seen(TOTAL)));
    for (const client of run.fast) expectEveryMessage(client, TOTAL + 1);
  });

  it("'drop-oldest' keeps the newest messages for the slow client, within bounded memory", async () => {
    const maxHeldBytes = 256 * 1024;
    const run = await broadcastPastAPausedClient({ highWatermark: HIGH_WATERMARK, policy: 'drop-oldest', maxHeldBytes });
    expect(run.maxBuffered).toBeLessThanOrEqual(HIGH_WATERMARK + run.messageBytes + FRAME_OVERHEAD);
    const drained = nextValue(run.server.slowConsumer$, (event) => event.kind === 'drained', 'the drain');
    run.slow.resume();
    const { dropped } = await drained;
    expect(dropped).toBeGreaterThan(0);
    await run.slow.seen(TOTAL - 1);
    expect(strictlyIncreasing(run.slow.received)).toBe(true);
    expect(run.slow.received).toHaveLength(TOTAL - dropped);
    expect(run.slow.received.at(-1)).toBe(TOTAL - 1); // the newest survived
    for (const client of run.fast) expectEveryMessage(client);
  });

  it("'wait' holds messages back in order and delivers all of them once the client reads again", async () => {
    const run = await broadcastPastAPausedClient({ highWatermark: HIGH_WATERMARK, policy: 'wait', maxHeldBytes: 64 * 1024 * 1024 });
    expect(run.maxBuffered).toBeLessThanOrEqual(HIGH_WATERMARK + run.messageBytes + FRAME_OVERHEAD);
    expect(run.events.map((event) => event.kind)).toEqual(['congested']);
    run.slow.resume();
    await run.slow.seen(TOTAL - 1);
    expectEveryMessage(run.slow);
    for (const client of run.fast) expectEveryMessage(client);
  });

  it("'wait' disconnects (1008) rather than hold more than maxHeldBytes", async () => {
    const run = await broadcastPastAPausedClient({ highWatermark: HIGH_WATERMARK, policy: 'wait', maxHeldBytes: 1024 * 1024, closeGraceMs: 200 });
    expect(run.events.map((event) => event.kind)).toEqual(['congested', 'disconnected']);
    expect(run.events[1]?.heldBytes).toBeGreaterThan(1024 * 1024);
    await lastValueFrom(run.slowConnection.closed$);
    for (const client of run.fast) expectEveryMessage(client);
  });
});
