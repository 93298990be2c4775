/**
 * readReceipt on a real ws pair: the server side asks, a client that does not pong by itself
 * (`autoPong: false`) decides when the receipt comes.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { readReceipt } from '../../../src/transport/edges/read-receipt.js';
import { closeAll } from '../../support/resources.js';
import { RawClient, RawServer, textOf } from '../../support/sockets.js';

afterEach(closeAll);

interface Pair {
  /** The server's end, where receipts are asked for. */
  readonly server: RawClient;
  /** The client's end; it never answers a ping unless the test does. */
  readonly client: RawClient;
  /** Ping payloads in the order the client read them. */
  readonly pings: string[];
  /** What the client read, in order: `message <text>` or `ping`. */
  readonly read: string[];
  /** Resolves with the payload of the `n`th ping (from 1) once the client has read it. */
  readonly ping: (n: number) => Promise<string>;
  /** Sends `marker` from the client and waits until the server read it: everything the client sent before has been handled. */
  readonly roundTrip: (marker: string) => Promise<void>;
}

async function pair(): Promise<Pair> {
  const rawServer = await RawServer.start();
  const client = await RawClient.open(rawServer.url, undefined, { autoPong: false });
  const server = await rawServer.nextConnection();
  const pings: string[] = [];
  const read: string[] = [];
  client.socket.on('message', (data: Buffer) => read.push(`message ${textOf(data)}`));
  const waiters: { n: number; resolve: (payload: string) => void }[] = [];
  client.socket.on('ping', (data: Buffer) => {
    pings.push(data.toString('latin1'));
    read.push('ping');
    for (const waiter of waiters.filter((w) => w.n <= pings.length)) waiter.resolve(pings[waiter.n - 1] as string);
  });
  return {
    server,
    client,
    pings,
    read,
    ping: (n) =>
      new Promise<string>((resolve) => {
        if (pings.length >= n) resolve(pings[n - 1] as string);
        else waiters.push({ n, resolve });
      }),
    roundTrip: async (marker) => {
      client.socket.send(marker);
      expect(textOf((await server.nextFrame()).data)).toBe(marker);
    },
  };
}

/** Subscribes to a receipt and records whether it has come. */
function watch(source: ReturnType<typeof readReceipt>): { readonly settled: () => boolean; readonly done: Promise<void> } {
  let settled = false;
  const done = firstValueFrom(source).then(() => {
    settled = true;
  });
  return { settled: () => settled, done };
}

describe('readReceipt', () => {
  it('sends a ping behind the frames already sent, and settles only on its pong', async () => {
    const { server, client, read, ping, roundTrip } = await pair();
    server.socket.send('first');
    server.socket.send('second');
    const receipt = watch(readReceipt(server.socket));
    const payload = await ping(1);
    expect(read).toEqual(['message first', 'message second', 'ping']);
    await roundTrip('no pong yet');
    expect(receipt.settled()).toBe(false);
    client.socket.pong(payload);
    await receipt.done;
    expect(receipt.settled()).toBe(true);
  });

  it('settles every earlier receipt with a later pong, none later than the pong, and ignores empty pongs', async () => {
    const { server, client, ping, roundTrip } = await pair();
    const first = watch(readReceipt(server.socket));
    const second = watch(readReceipt(server.socket));
    const firstPayload = await ping(1);
    const secondPayload = await ping(2);
    expect(firstPayload).not.toBe(secondPayload);

    client.socket.pong(); // a heartbeat's pong says nothing about these pings
    await roundTrip('after the empty pong');
    expect([first.settled(), second.settled()]).toEqual([false, false]);

    const third = watch(readReceipt(server.socket));
    await ping(3);
    client.socket.pong(secondPayload); // a peer may answer only the latest ping it read
    await Promise.all([first.done, second.done]);
    await roundTrip('after the second pong');
    expect(third.settled()).toBe(false);
  });

  it('settles when the socket closes, and at once on a socket that is not open', async () => {
    const { server, client, ping } = await pair();
    const receipt = watch(readReceipt(server.socket));
    await ping(1);
    client.socket.terminate();
    await receipt.done;
    expect(receipt.settled()).toBe(true);

    let immediate = false;
    readReceipt(server.socket).subscribe(() => (immediate = true));
    expect(immediate).toBe(true);
  });

  it('listens to the socket only while a receipt is awaited', async () => {
    const { server, client, ping } = await pair();
    const pongListeners = server.socket.listenerCount('pong');
    const closeListeners = server.socket.listenerCount('close');

    const dropped = readReceipt(server.socket).subscribe();
    expect(server.socket.listenerCount('pong')).toBe(pongListeners + 1);
    dropped.unsubscribe();
    expect([server.socket.listenerCount('pong'), server.socket.listenerCount('close')]).toEqual([pongListeners, closeListeners]);

    const kept = watch(readReceipt(server.socket));
    client.socket.pong(await ping(2));
    await kept.done;
    expect([server.socket.listenerCount('pong'), server.socket.listenerCount('close')]).toEqual([pongListeners, closeListeners]);
  });
});
