import { createServer } from 'node:http';
import { connect } from 'node:net';
import { lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CloseCode,
  ServerStartError,
  TransportStoppedError,
  WebSocketClientTransport,
  WebSocketServerTransport,
  type Logger,
} from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { createClient, nextValue, portOf, RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

/** A logger that remembers what it was told. */
function recordingLogger(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (m) => warnings.push(m), info: (m) => infos.push(m) };
}

describe('WebSocketServerTransport lifecycle', () => {
  it('start() resolves once listening, exposes the bound address and url, and is idempotent', async () => {
    const server = track(new WebSocketServerTransport({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false }), (s) => s.stop());
    expect(server.address).toBeUndefined();
    expect(server.url).toBeUndefined();
    const first = server.start();
    expect(server.start()).toBe(first);
    await first;
    const port = server.address?.port;
    expect(port).toBeGreaterThan(0);
    expect(server.address?.address).toBe('127.0.0.1');
    expect(server.url).toBe(`ws://127.0.0.1:${port}`);
    await server.start();
    expect(server.address?.port).toBe(port);
    const client = await RawClient.open(`ws://127.0.0.1:${port}`);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('stop() is idempotent, completes when the port is free again, and can be called before start()', async () => {
    const { server } = await startServer();
    const port = portOf(server);
    const stopping = server.stop();
    expect(server.stop()).toBe(stopping);
    await stopping;
    await server.stop();
    // The port is free: another server can take it.
    const { server: again } = await startServer({ port });
    expect(again.address?.port).toBe(port);

    const neverStarted = new WebSocketServerTransport({ port: 0, logger: false });
    await expect(neverStarted.stop()).resolves.toBeUndefined();
  });

  it('start() after stop() rejects with TransportStoppedError', async () => {
    const neverStarted = new WebSocketServerTransport({ port: 0, logger: false });
    await neverStarted.stop();
    await expect(neverStarted.start()).rejects.toThrow(TransportStoppedError);

    const { server } = await startServer();
    await server.stop();
    await expect(server.start()).rejects.toThrow(TransportStoppedError);
  });

  it('start() rejects with ServerStartError saying the port is in use, and can be retried', async () => {
    const { server: holder } = await startServer();
    const port = portOf(holder);
    const contender = track(new WebSocketServerTransport({ host: '127.0.0.1', port, heartbeat: false, logger: false }), (s) => s.stop());
    const failure = contender.start();
    await expect(failure).rejects.toThrow(ServerStartError);
    await expect(failure).rejects.toThrow(`Cannot listen on 127.0.0.1:${port}: the port is already in use`);
    await expect(failure).rejects.toMatchObject({ code: 'start_failed', cause: { code: 'EADDRINUSE' } });
    expect(contender.address).toBeUndefined();
    // Once the port is free, the same transport starts.
    await holder.stop();
    await contender.start();
    expect(contender.address?.port).toBe(port);
  });

  it('warns once, through the logger option, when bound beyond loopback', async () => {
    const logger = recordingLogger();
    const server = track(new WebSocketServerTransport({ host: '0.0.0.0', port: 0, heartbeat: false, logger }), (s) => s.stop());
    await server.start();
    await server.start();
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(`0.0.0.0:${server.address?.port}`);
    expect(logger.warnings[0]).toContain('127.0.0.1');

    const quiet = recordingLogger();
    await startServer({ logger: quiet });
    expect(quiet.warnings).toEqual([]);
  });

  it('accepts upgrades only on `path` when given', async () => {
    const { server, url } = await startServer({ path: '/mcp' });
    expect(url).toMatch(/\/mcp$/);
    const accepted = await RawClient.open(url);
    expect(accepted.socket.readyState).toBe(accepted.socket.OPEN);
    const refused = RawClient.connect(url.replace(/\/mcp$/, '/other'));
    const [response] = await Promise.all([
      new Promise<number | undefined>((resolve) => refused.socket.once('unexpected-response', (_req, res) => resolve(res.statusCode))),
    ]);
    expect(response).toBe(400);
    expect(server.getConnectedClients()).toBe(1);
  });

  it('attaches to an existing http server without taking over its listen() or close()', async () => {
    const http = createServer((_req, res) => res.end('plain http still works'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    track(http, (h) => new Promise((resolve) => h.close(resolve)));
    const server = track(new WebSocketServerTransport({ server: http, heartbeat: false, logger: false }), (s) => s.stop());
    await server.start();
    const port = (http.address() as { port: number }).port;
    expect(server.address?.port).toBe(port);
    const client = await RawClient.open(`ws://127.0.0.1:${port}`, 'mcp');
    const reply = nextValue(server.messages$);
    client.sendJson({ type: 'hello' });
    expect((await reply).message).toEqual({ type: 'hello' });
    await server.stop();
    expect((await client.closed).code).toBe(CloseCode.GoingAway);
    // The http server is still the caller's, and still serving.
    expect(http.listening).toBe(true);
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(body).toBe('plain http still works');
  });

  it('stop() with clients connected: each sees 1001, the server reports them gone, and every stream completes', async () => {
    const { server, url } = await startServer();
    const streams = {
      connections: lastValueFrom(server.connections$.pipe(toArray())),
      disconnections: lastValueFrom(server.disconnections$.pipe(toArray())),
      messages: lastValueFrom(server.messages$.pipe(toArray())),
      errors: lastValueFrom(server.errors$.pipe(toArray())),
      counts: lastValueFrom(server.clientCount$.pipe(toArray())),
    };
    const raw = await Promise.all([RawClient.open(url), RawClient.open(url), RawClient.open(url)]);
    const ours = createClient(url, { reconnect: false });
    await ours.start();
    const oursFailed = nextValue(ours.errors$);
    await server.stop();
    for (const client of raw) expect(await client.closed).toEqual({ code: CloseCode.GoingAway, reason: 'Server shutting down' });
    expect(await oursFailed).toMatchObject({ code: 'connection_failed', closeCode: CloseCode.GoingAway });
    const { connections, disconnections, messages, errors, counts } = await promiseAll(streams);
    expect(connections).toHaveLength(4);
    expect(disconnections.map((d) => d.code)).toEqual([1001, 1001, 1001, 1001]);
    expect(messages).toEqual([]);
    expect(errors).toEqual([]);
    expect(counts.at(-1)).toBe(0);
    expect(server.getConnectedClients()).toBe(0);
  });

  it('stop() terminates a client that never answers the close handshake, after stopGraceMs', async () => {
    const { server, url } = await startServer({ stopGraceMs: 100 });
    const { port } = new URL(url);
    // A raw TCP peer that completes the upgrade and then ignores every frame.
    const socket = connect(Number(port), '127.0.0.1');
    track(socket, (s) => s.destroy());
    const connected = nextValue(server.connections$);
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await connected;
    const gone = nextValue(server.disconnections$);
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await server.stop();
    expect((await gone).code).toBe(CloseCode.Abnormal);
    await socketClosed;
  });

  it('stop() right after start(), before it resolved, leaves no timer behind', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = new WebSocketServerTransport({ host: '127.0.0.1', port: 0, logger: false, heartbeat: { interval: 1000, timeout: 500 }, scheduler });
    const started = server.start();
    await server.stop();
    await started;
    // A heartbeat started after stop() would still be scheduled here.
    expect(scheduler.actions).toEqual([]);
  });

  it('runs a full cycle with our own client', async () => {
    const { server, url } = await startServer({ messageHandler: (m) => ({ type: 'echo', original: m }) });
    const client = new WebSocketClientTransport(url, { heartbeat: false });
    await client.start();
    await client.sendMessage({ type: 'ping' });
    expect(await client.receiveMessage(5000)).toEqual({ type: 'echo', original: { type: 'ping' } });
    await client.stop();
    await server.stop();
  });
});

async function promiseAll<T extends Record<string, Promise<unknown>>>(promises: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const entries = await Promise.all(Object.entries(promises).map(async ([key, promise]) => [key, await promise] as const));
  return Object.fromEntries(entries) as { [K in keyof T]: Awaited<T[K]> };
}
