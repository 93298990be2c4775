import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import type { JsonObject } from '../../../src/protocol/index.js';
import {
  CloseCode,
  ConnectionFailedError,
  HandlerError,
  InvalidFrameError,
  NotConnectedError,
  QueueExpiredError,
  QueueFullError,
  ReceiveTimeoutError,
  SerializationError,
  TransportStoppedError,
  WebSocketClientTransport,
} from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { createClient, nextValue, nextValues, RawServer, startClient, startServer, unusedPort } from '../../support/sockets.js';

afterEach(closeAll);

/** A client that lost its server and waits ~10 s before its next attempt: long enough to test sends meanwhile. */
async function reconnectingClient(options: ConstructorParameters<typeof WebSocketClientTransport>[1] = {}) {
  const { server, url } = await startServer();
  const client = await startClient(url, { reconnect: { initialDelay: 10_000, maxDelay: 10_000 }, random: () => 0.99, ...options });
  const reconnecting = nextValue(client.state$, (s) => s === 'reconnecting');
  await server.stop();
  await reconnecting;
  return client;
}

describe('WebSocketClientTransport lifecycle', () => {
  it('start() resolves once open, is idempotent, and the state goes closed → connecting → open → closed', async () => {
    const { server, url } = await startServer();
    const client = createClient(url);
    const states = lastValueFrom(client.state$.pipe(toArray()));
    expect(client.state).toBe('closed');
    expect(client.isConnected()).toBe(false);
    const starting = client.start();
    expect(client.start()).toBe(starting);
    expect(client.state).toBe('connecting');
    await starting;
    expect(client.state).toBe('open');
    expect(client.isConnected()).toBe(true);
    const gone = nextValue(server.disconnections$);
    const stopping = client.stop();
    expect(client.stop()).toBe(stopping);
    await stopping;
    expect(await states).toEqual(['closed', 'connecting', 'open', 'closed']);
    expect(client.isConnected()).toBe(false);
    // stop() closes with 1000.
    expect(await gone).toMatchObject({ code: CloseCode.Normal });
  });

  it('stop() completes messages$ and errors$, and start() after stop() rejects', async () => {
    const { url } = await startServer();
    const client = await startClient(url);
    const messages = lastValueFrom(client.messages$.pipe(toArray()));
    const errors = lastValueFrom(client.errors$.pipe(toArray()));
    await client.stop();
    await expect(messages).resolves.toEqual([]);
    await expect(errors).resolves.toEqual([]);
    await expect(client.start()).rejects.toThrow(TransportStoppedError);
  });

  it('stop() before start() just closes', async () => {
    const client = createClient('ws://127.0.0.1:1');
    await client.stop();
    expect(client.state).toBe('closed');
    await expect(client.start()).rejects.toThrow(TransportStoppedError);
  });

  it('stop() while the first connection is still being made rejects start() with TransportStoppedError', async () => {
    // A TCP server that accepts and never answers the upgrade: the client stays 'connecting'.
    const tcp = createTcpServer((socket) => track(socket, (s: Socket) => s.destroy()));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    track(tcp, (t) => new Promise((resolve) => t.close(resolve)));
    const client = createClient(`ws://127.0.0.1:${(tcp.address() as { port: number }).port}`);
    const starting = client.start();
    await client.stop();
    await expect(starting).rejects.toThrow(TransportStoppedError);
  });

  it('start() against a port nobody listens on, with reconnect disabled, rejects with ConnectionFailedError', async () => {
    const client = createClient(`ws://127.0.0.1:${await unusedPort()}`, { reconnect: false });
    const failure = client.start();
    await expect(failure).rejects.toThrow(ConnectionFailedError);
    await expect(failure).rejects.toMatchObject({ closeCode: CloseCode.Abnormal });
    expect(client.state).toBe('closed');
    await expect(client.sendMessage({})).rejects.toThrow(ConnectionFailedError);
  });

  it('start() retries a first connection that fails, then rejects when maxRetries is used up', async () => {
    const client = createClient(`ws://127.0.0.1:${await unusedPort()}`, { reconnect: { maxRetries: 3, initialDelay: 5, maxDelay: 10 } });
    const states = lastValueFrom(client.state$.pipe(toArray()));
    await expect(client.start()).rejects.toThrow('Gave up reconnecting after 3 retries; last close 1006');
    // Never 'reconnecting': it never was open.
    expect(await states).toEqual(['closed', 'connecting', 'closed']);
  });

  it('start() rejects at once, without retrying, when the upgrade is refused with 401', async () => {
    let upgrades = 0;
    const http = createHttpServer();
    http.on('upgrade', (_req, socket: Socket) => {
      upgrades += 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    track(http, (h) => new Promise((resolve) => h.close(resolve)));
    const client = createClient(`ws://127.0.0.1:${(http.address() as { port: number }).port}`, { reconnect: { maxRetries: 5 } });
    const failure = client.start();
    await expect(failure).rejects.toMatchObject({ code: 'connection_failed', closeCode: CloseCode.Unauthorized });
    expect(upgrades).toBe(1);
  });

  it('gives up on an attempt after connectTimeout', async () => {
    const tcp = createTcpServer((socket) => track(socket, (s: Socket) => s.destroy()));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    track(tcp, (t) => new Promise((resolve) => t.close(resolve)));
    const client = createClient(`ws://127.0.0.1:${(tcp.address() as { port: number }).port}`, { connectTimeout: 50, reconnect: false });
    await expect(client.start()).rejects.toThrow('no connection within 50 ms');
  });
});

describe('WebSocketClientTransport sendMessage', () => {
  it('sends while connected and resolves once written', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url);
    const received = nextValues(server.messages$, 2);
    await client.sendMessage({ type: 'a' });
    await client.sendMessage({ type: 'b' });
    expect((await received).map((m) => m.message)).toEqual([{ type: 'a' }, { type: 'b' }]);
  });

  it('rejects with NotConnectedError before start()', async () => {
    const { url } = await startServer();
    const client = createClient(url);
    await expect(client.sendMessage({ type: 'early' })).rejects.toThrow(NotConnectedError);
    await expect(client.sendMessage({ type: 'early' })).rejects.toThrow('call start() first');
  });

  it('rejects with TransportStoppedError after stop()', async () => {
    const { url } = await startServer();
    const client = await startClient(url);
    await client.stop();
    await expect(client.sendMessage({ type: 'late' })).rejects.toThrow(TransportStoppedError);
  });

  it('rejects with SerializationError for what JSON cannot hold', async () => {
    const { url } = await startServer();
    const client = await startClient(url);
    const cyclic: JsonObject = {};
    cyclic['self'] = cyclic;
    await expect(client.sendMessage(cyclic)).rejects.toThrow(SerializationError);
  });

  it('rejects with NotConnectedError while reconnecting when the queue is disabled', async () => {
    const client = await reconnectingClient({ queue: false });
    await expect(client.sendMessage({ type: 'x' })).rejects.toThrow(NotConnectedError);
    await expect(client.sendMessage({ type: 'x' })).rejects.toThrow('Not connected (reconnecting) and the send queue is disabled');
  });

  it('queues while reconnecting and rejects with QueueFullError past maxCount; stop() rejects what waits', async () => {
    const client = await reconnectingClient({ queue: { maxCount: 2 } });
    const queued = [client.sendMessage({ n: 1 }), client.sendMessage({ n: 2 })];
    await expect(client.sendMessage({ n: 3 })).rejects.toThrow(QueueFullError);
    await client.stop();
    for (const send of queued) await expect(send).rejects.toThrow(TransportStoppedError);
  });

  it('rejects with QueueFullError past maxBytes', async () => {
    const client = await reconnectingClient({ queue: { maxBytes: 20 } });
    const queued = client.sendMessage({ pad: 'x'.repeat(8) }); // 18 bytes of JSON
    await expect(client.sendMessage({ n: 1 })).rejects.toThrow(QueueFullError);
    await client.stop();
    await expect(queued).rejects.toThrow(TransportStoppedError);
  });

  it('rejects a queued message with QueueExpiredError after maxAgeMs', async () => {
    const client = await reconnectingClient({ queue: { maxAgeMs: 20 } });
    await expect(client.sendMessage({ n: 1 })).rejects.toThrow(QueueExpiredError);
  });
});

describe('WebSocketClientTransport receiving', () => {
  it('receiveMessage works alongside messageHandler and messages$, and loses nothing between two calls', async () => {
    const handled: JsonObject[] = [];
    const { server, url } = await startServer();
    const client = await startClient(url, { messageHandler: (m) => void handled.push(m) });
    const streamed = nextValues(client.messages$, 5);
    for (let n = 1; n <= 5; n++) await server.sendMessage({ n });
    const all = await streamed;
    const received = [];
    for (let i = 0; i < 5; i++) received.push(await client.receiveMessage(5000));
    const expected = [1, 2, 3, 4, 5].map((n) => ({ n }));
    expect(all).toEqual(expected);
    expect(received).toEqual(expected);
    expect(handled).toEqual(expected);
  });

  it('receiveMessage waits for the next message, times out with ReceiveTimeoutError, and rejects after stop()', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url);
    const next = client.receiveMessage(5000);
    await server.sendMessage({ type: 'hello' });
    await expect(next).resolves.toEqual({ type: 'hello' });
    await expect(client.receiveMessage(20)).rejects.toThrow(ReceiveTimeoutError);
    const waiting = client.receiveMessage();
    await client.stop();
    await expect(waiting).rejects.toThrow(TransportStoppedError);
    await expect(client.receiveMessage()).rejects.toThrow(TransportStoppedError);
  });

  it('drops the oldest past inboxSize and, once receiveMessage is in use, says so on errors$', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url, { inboxSize: 2 });
    const first = client.receiveMessage();
    await server.sendMessage({ n: 0 });
    expect(await first).toEqual({ n: 0 });
    const overflow = nextValue(client.errors$);
    const streamed = nextValues(client.messages$, 3);
    for (let n = 1; n <= 3; n++) await server.sendMessage({ n });
    await streamed;
    expect((await overflow).code).toBe('inbox_overflow');
    expect(await client.receiveMessage()).toEqual({ n: 2 });
    expect(await client.receiveMessage()).toEqual({ n: 3 });
  });

  it('does not warn about the receive buffer to a client that only uses messages$', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url, { inboxSize: 2 });
    const errors: unknown[] = [];
    client.errors$.subscribe((error) => errors.push(error));
    const streamed = nextValues(client.messages$, 5);
    for (let n = 1; n <= 5; n++) await server.sendMessage({ n });
    expect(await streamed).toHaveLength(5);
    expect(errors).toEqual([]);
    // The buffer stayed bounded: only the newest two wait for a late reader.
    expect(await client.receiveMessage()).toEqual({ n: 4 });
    expect(await client.receiveMessage()).toEqual({ n: 5 });
  });

  it('reports a handler that throws or rejects on errors$ and keeps delivering', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url, {
      messageHandler: (m) => {
        if (m['n'] === 1) throw new Error('sync failure');
        if (m['n'] === 2) return Promise.reject(new Error('async failure'));
        return undefined;
      },
    });
    const errors = nextValues(client.errors$, 2);
    for (let n = 1; n <= 3; n++) await server.sendMessage({ n });
    const [first, second] = await errors;
    expect(first).toBeInstanceOf(HandlerError);
    expect(first?.message).toContain('sync failure');
    expect(second?.message).toContain('async failure');
    expect([await client.receiveMessage(), await client.receiveMessage(), await client.receiveMessage()]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('reports frames that are not JSON objects (or carry __proto__) on errors$, and stays connected', async () => {
    const raw = await RawServer.start();
    const client = createClient(raw.url);
    const connection = raw.nextConnection();
    await client.start();
    const server = await connection;
    const errors = nextValues(client.errors$, 4);
    server.socket.send('not json');
    server.socket.send('[1, 2]');
    server.socket.send(Buffer.from('{"binary":true}'));
    server.socket.send('{"type":"fine","__proto__":{"polluted":true}}');
    server.sendJson({ type: 'fine' });
    const [invalid, notObject, binary, forbidden] = await errors;
    for (const error of [invalid, notObject, binary, forbidden]) expect(error).toBeInstanceOf(InvalidFrameError);
    expect(forbidden?.message).toContain('forbidden key');
    expect(invalid?.message).toContain('Invalid JSON message');
    expect(notObject?.message).toContain('Message must be a JSON object');
    expect(binary?.message).toContain('binary');
    expect(await client.receiveMessage(5000)).toEqual({ type: 'fine' });
    expect(client.isConnected()).toBe(true);
  });

  it('a message over maxMessageSize ends the connection as fatal (1009), without reconnecting', async () => {
    const raw = await RawServer.start();
    const client = createClient(raw.url, { maxMessageSize: 1024 });
    const connection = raw.nextConnection();
    await client.start();
    const server = await connection;
    const failed = nextValue(client.errors$, (e) => e instanceof ConnectionFailedError);
    server.sendJson({ pad: 'x'.repeat(2000) });
    expect(await failed).toMatchObject({ closeCode: CloseCode.MessageTooBig });
    expect((await server.closed).code).toBe(CloseCode.MessageTooBig);
    expect(client.state).toBe('closed');
  });
});

describe('WebSocketClientTransport close codes', () => {
  it.each([
    [CloseCode.PolicyViolation, 'policy'],
    [CloseCode.Normal, 'bye'],
    [CloseCode.Unauthorized, 'bad token'],
  ])('a close with %i from the server is fatal: no reconnect, ConnectionFailedError, closed', async (code, reason) => {
    const { server, url } = await startServer();
    let connections = 0;
    server.connections$.subscribe(() => (connections += 1));
    const connected = nextValue(server.connections$);
    const client = await startClient(url, { reconnect: { initialDelay: 1, maxDelay: 1 } });
    const { id } = await connected;
    const states = lastValueFrom(client.state$.pipe(toArray()));
    const errors = lastValueFrom(client.errors$.pipe(toArray()));
    server.closeClient(id, code, reason);
    expect(await states).toEqual(['open', 'closed']);
    const [failure] = await errors;
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    expect(failure).toMatchObject({ closeCode: code, closeReason: reason });
    expect(failure?.message).toContain('does not allow reconnecting');
    await expect(client.sendMessage({})).rejects.toBe(failure);
    expect(connections).toBe(1);
  });

  it('after a fatal close, start() rejects with the same failure instead of pretending to be open', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const client = await startClient(url);
    const { id } = await connected;
    const failed = nextValue(client.errors$);
    server.closeClient(id, CloseCode.PolicyViolation, 'policy');
    const failure = await failed;
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    await expect(client.start()).rejects.toBe(failure);
  });

  it('a server that speaks none of the offered subprotocols is fatal at once, not retried', async () => {
    const { server, url } = await startServer({ protocols: ['mcp'] });
    let connections = 0;
    server.connections$.subscribe(() => (connections += 1));
    const client = createClient(url, { protocols: ['graphql-ws'], reconnect: { initialDelay: 1, maxDelay: 1, maxRetries: 5 } });
    const failure = await client.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    expect(failure).toMatchObject({ closeCode: CloseCode.ProtocolError });
    expect((failure as Error).message).toContain('subprotocol');
    expect(connections).toBeLessThanOrEqual(1);
  });

  it.each([CloseCode.GoingAway, CloseCode.InternalError, CloseCode.ServiceRestart, CloseCode.TryAgainLater])(
    'a close with %i from the server is retried: the client reconnects by itself',
    async (code) => {
      const { server, url } = await startServer();
      const connected = nextValues(server.connections$, 2);
      const client = await startClient(url);
      const states = nextValues(client.state$, 3);
      const [first] = server.getClients();
      server.closeClient(first?.id ?? '', code);
      expect(await states).toEqual(['open', 'reconnecting', 'open']);
      const [before, after] = await connected;
      expect(after?.id).not.toBe(before?.id);
      expect(client.isConnected()).toBe(true);
    },
  );

  it('drops the connection and reconnects when the server stops answering pings (client heartbeat)', async () => {
    const raw = await RawServer.start({ autoPong: false });
    const first = raw.nextConnection();
    const second = raw.nextConnection();
    const client = await startClient(raw.url, { heartbeat: { interval: 40, timeout: 30 } });
    const states = nextValues(client.state$, 3);
    const silent = await first;
    expect(await states).toEqual(['open', 'reconnecting', 'open']);
    await second;
    // A peer that ignores pings gets no close handshake (it would not answer that either): dropped, 1006.
    expect((await silent.closed).code).toBe(CloseCode.Abnormal);
  });
});

describe('WebSocketClientTransport WebSocket option', () => {
  /**
   * The browser's WebSocket surface and nothing more (no ping, no send callback, no terminate),
   * over a real ws socket: shows the client runs where only the standard API exists.
   */
  class StandardOnlyWebSocket {
    static instances = 0;
    private readonly inner: WsWebSocket;

    constructor(url: string, protocols?: string | string[]) {
      StandardOnlyWebSocket.instances += 1;
      this.inner = new WsWebSocket(url, protocols);
    }

    get readyState(): number {
      return this.inner.readyState;
    }

    get protocol(): string {
      return this.inner.protocol;
    }

    get bufferedAmount(): number {
      return this.inner.bufferedAmount;
    }

    send(data: string): void {
      this.inner.send(data);
    }

    close(code?: number, reason?: string): void {
      this.inner.close(code, reason);
    }

    addEventListener(type: string, listener: (event: never) => void): void {
      this.inner.addEventListener(type as 'message', listener as () => void);
    }

    removeEventListener(type: string, listener: (event: never) => void): void {
      this.inner.removeEventListener(type as 'message', listener as () => void);
    }
  }

  it('uses the given constructor, and works without ping or a send callback (as in browsers)', async () => {
    const { server, url } = await startServer({ messageHandler: (m) => ({ type: 'echo', original: m }) });
    const client = await startClient(url, { WebSocket: StandardOnlyWebSocket, heartbeat: { interval: 20, timeout: 10 } });
    expect(StandardOnlyWebSocket.instances).toBe(1);
    await client.sendMessage({ type: 'hi' });
    expect(await client.receiveMessage(5000)).toEqual({ type: 'echo', original: { type: 'hi' } });
    const gone = nextValue(server.disconnections$);
    await client.stop();
    expect((await gone).code).toBe(CloseCode.Normal);
  });
});
