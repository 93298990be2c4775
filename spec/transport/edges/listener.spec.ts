import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandshakeDroppedError } from '../../../src/transport/errors.js';
import type { TransportErrorEvent, WebSocketServerTransport } from '../../../src/transport/index.js';
import { createListener, pendingHandshakes, trackedConnections, type Listener, type ListenerOptions } from '../../../src/transport/edges/listener.js';
import { RawTcp } from '../../support/raw-upgrade.js';
import { closeAll, track } from '../../support/resources.js';
import { RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe("the transport's own listener", () => {
  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const { url } = await startServer();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url.replace('ws://', 'http://'), (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(426);
  });

  it('stop() closes a TCP connection that never sends a request at once, without an answer or a report', async () => {
    // A deadline far past the test's own timeout: only stop() can end this connection in time.
    const { server, url } = await startServer({ handshakeTimeoutMs: 10 * 60_000 });
    const port = Number(new URL(url).port);
    const reported = recordErrors(server);
    const stalled = await RawTcp.open(port);
    // Accepted in order: once this client is upgraded, the stalled connection is the listener's too.
    const client = await RawClient.open(url, 'mcp');
    await server.stop();
    await stalled.closed;
    expect(stalled.text).toBe(''); // no 408, no 426: closed without a word
    expect(await client.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    expect(reported).toEqual([]); // not a HandshakeDroppedError: no deadline passed, nobody was evicted
    await expect(RawTcp.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops accepting connections as soon as stop() begins', async () => {
    const { server, url } = await startServer({ stopGraceMs: 2000 });
    const lingering = await RawClient.open(url, 'mcp');
    // This client ignores the 1001 for now, so stop() is still waiting when the next one tries.
    lingering.socket.pause();
    const stopping = server.stop();
    const late = RawClient.connect(url, 'mcp');
    const error = await new Promise<Error>((resolve) => late.socket.once('error', resolve));
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    lingering.socket.resume();
    await stopping;
    expect(await lingering.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
  });
});

/** Every event on the server's `errors$`, as it comes. */
function recordErrors(server: WebSocketServerTransport): TransportErrorEvent[] {
  const seen: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => seen.push(event));
  return seen;
}

const defaults: ListenerOptions = { tls: undefined, handshakeTimeoutMs: 10_000, maxPendingHandshakesPerAddress: undefined, scheduler: asyncScheduler };

/** A listener on 127.0.0.1, port 0; `dropped` collects what it reports. */
async function startListener(options: Partial<ListenerOptions> = {}): Promise<{ listener: Listener; port: number; dropped: HandshakeDroppedError[] }> {
  const dropped: HandshakeDroppedError[] = [];
  const listener = track(createListener({ ...defaults, ...options }, (error) => dropped.push(error)), (server) => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return { listener, port: (listener.address() as { port: number }).port, dropped };
}

/** A plain HTTP GET from `localAddress`: its status (the listener answers 426). */
function getStatus(port: number, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, localAddress, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createListener', () => {
  it('forgets each TCP connection once it has closed, so a long-lived server does not keep them', async () => {
    const { listener, port } = await startListener();
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const socket = track(connect(port, '127.0.0.1', () => resolve(socket)), (opened) => opened.destroy());
      })),
    );
    await expect.poll(() => trackedConnections(listener)).toBe(20);
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.end(() => resolve()))));
    await expect.poll(() => trackedConnections(listener)).toBe(0);
  });

  it('holds at most maxPendingHandshakesPerAddress handshakes per address, closing the oldest for the newest', async () => {
    const cap = 8;
    const { listener, port, dropped } = await startListener({ maxPendingHandshakesPerAddress: cap });
    // Runs after the listener's own 'connection' handler: the count as it stands once a connection is in.
    const seen = new Map<string, number>();
    listener.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? '?';
      seen.set(address, Math.max(seen.get(address) ?? 0, pendingHandshakes(listener, address)));
    });
    const stalled = await Promise.all(Array.from({ length: 300 }, () => RawTcp.open(port, '127.0.0.2')));
    stalled.forEach((socket, n) => socket.write(`GET /${n} HTTP/1.1\r\nHost: 127.0.0.1\r\n`));
    await expect.poll(() => dropped.length).toBe(300 - cap);
    expect(dropped.every((error) => error.reason === 'evicted' && error.remoteAddress === '127.0.0.2')).toBe(true);
    expect(seen.get('127.0.0.2')).toBe(cap);
    expect(pendingHandshakes(listener, '127.0.0.2')).toBe(cap);
    await expect.poll(() => stalled.filter((socket) => socket.isClosed).length).toBe(300 - cap);
    // Another address has a budget of its own; on the crowded one, a client that finishes its request
    // is still served: it evicts one stalled connection and is done long before it could be evicted.
    expect(await getStatus(port, '127.0.0.3')).toBe(426);
    expect(await getStatus(port, '127.0.0.2')).toBe(426);
    expect(seen.get('127.0.0.2')).toBe(cap);
    expect(pendingHandshakes(listener, '127.0.0.2')).toBe(cap - 1);
    expect(dropped).toHaveLength(300 - cap + 1);
  });

  it('closes a connection that trickles its request headers once handshakeTimeoutMs has passed since accept', async () => {
    const { listener, port, dropped } = await startListener({ handshakeTimeoutMs: 300 });
    const slow = await RawTcp.open(port);
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    // A byte every 50 ms: never idle for long, so only an absolute deadline catches it.
    const trickle = setInterval(() => slow.write('a'), 50);
    await slow.closed;
    clearInterval(trickle);
    expect(slow.text).toBe(''); // dropped without an answer
    expect(dropped).toMatchObject([{ reason: 'timeout', remoteAddress: '127.0.0.1', code: 'handshake_dropped' }]);
    expect(pendingHandshakes(listener)).toBe(0);
  });
});
