/**
 * Slowloris against the transport's own listener: hundreds of upgrade requests that never finish
 * their headers, trickling a byte now and then. The handshake deadline closes each of them, the
 * per-address cap bounds how many one address holds at once, and well-behaved clients are served
 * all along, on another address and on the attacker's own.
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { HandshakeDroppedError, type ServerTransportOptions, type WebSocketServerTransport } from '../../../src/transport/index.js';
import { pendingHandshakes, type Listener } from '../../../src/transport/edges/listener.js';
import { closeAll } from '../../support/resources.js';
import { EXPECT_WITHIN, portOf, startServer } from '../../support/sockets.js';
import { Bystander } from './bystander.js';
import { Slowloris } from './slowloris.js';

afterEach(closeAll);

const echo = (message: JsonObject): JsonObject => ({ type: 'echo', original: message });

/** The transport's own http server (private: the test watches its handshake bookkeeping). */
function listenerOf(server: WebSocketServerTransport): Listener {
  const listener = (server as unknown as { edge: { listener: Listener | undefined } }).edge.listener;
  if (!listener) throw new Error('the transport listens on its own server');
  return listener;
}

/** A server under watch: the most handshakes `address` had pending, sampled as each connection comes in. */
async function watchedServer(options: ServerTransportOptions, address: string) {
  const { server, url } = await startServer({ messageHandler: echo, ...options });
  const dropped: HandshakeDroppedError[] = [];
  server.errors$.subscribe(({ error }) => {
    if (error instanceof HandshakeDroppedError) dropped.push(error);
  });
  const listener = listenerOf(server);
  let mostPending = 0;
  // Added after the transport's own 'connection' handler, so it sees the count with the newcomer counted.
  listener.on('connection', (socket: Socket) => {
    if (socket.remoteAddress === address) mostPending = Math.max(mostPending, pendingHandshakes(listener, address));
  });
  return { server, url, port: portOf(server), dropped, mostPending: () => mostPending };
}

describe('slowloris', () => {
  it('serves clients throughout an attack of 300 stalled upgrade requests, and closes every one of them', async () => {
    const cap = 50;
    const { url, port, dropped, mostPending } = await watchedServer({ handshakeTimeoutMs: 300, maxPendingHandshakesPerAddress: cap }, '127.0.0.2');
    // Reopens whatever the server closes until stopped: the attack lasts as long as the clients below need.
    const attack = await Slowloris.start({ port, size: 300, localAddress: '127.0.0.2' });

    const clients = await Promise.all(Array.from({ length: 5 }, () => Bystander.join(url)));
    for (const client of clients) await client.expectServed();
    // 300 requests from one address against a cap of 50: the oldest give way (the attack goes on meanwhile).
    await expect.poll(() => dropped.some((error) => error.reason === 'evicted'), { timeout: EXPECT_WITHIN }).toBe(true);
    for (const client of clients) await client.expectServed();

    await attack.allClosed();
    expect(attack.opened.length).toBeGreaterThanOrEqual(300);
    expect(mostPending()).toBeGreaterThan(0);
    expect(mostPending()).toBeLessThanOrEqual(cap);
    // Once the attack stops opening more, nothing evicts the last ones: the deadline closes them.
    expect(dropped.some((error) => error.reason === 'timeout')).toBe(true);
    expect(dropped.every((error) => error.remoteAddress === '127.0.0.2')).toBe(true);
    expect(dropped).toHaveLength(attack.opened.length);
    // Finished handshakes are not the deadline's business: connections older than it are still served.
    await sleep(300);
    for (const client of clients) await client.expectServed();
  });

  it('serves a client on the attacker’s own address: the oldest stalled request gives way to it', async () => {
    const cap = 16;
    // The default deadline (10 s) outlasts the test: only eviction can make room.
    const { url, dropped, port, mostPending } = await watchedServer({ maxPendingHandshakesPerAddress: cap }, '127.0.0.1');
    const attack = await Slowloris.start({ port, size: 300, localAddress: '127.0.0.1' });
    attack.stop();
    await expect.poll(() => dropped.length, { timeout: EXPECT_WITHIN }).toBe(300 - cap);

    const client = await Bystander.join(url);
    await client.expectServed();
    expect(dropped).toHaveLength(300 - cap + 1);
    expect(dropped.every((error) => error.reason === 'evicted')).toBe(true);
    expect(mostPending()).toBe(cap);
    await expect.poll(() => attack.opened.filter((request) => !request.isClosed).length).toBe(cap - 1);
  });
});
