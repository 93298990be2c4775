import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidFrameError, WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { nextValue, nextValues, RawClient, startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe('WebSocketServerTransport streams', () => {
  it('connections$ describes each client: id, remote address and port, time, protocol, upgrade request', async () => {
    const { server, url } = await startServer();
    const before = new Date();
    const connected = nextValue(server.connections$);
    await startClient(`${url}/room?session=abc`, { protocols: ['mcp'], headers: { 'x-trace': 't-1' } });
    const client = await connected;
    expect(client.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(client.remoteAddress).toBe('127.0.0.1');
    expect(client.remotePort).toBeGreaterThan(0);
    expect(client.connectedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(client.protocol).toBe('mcp');
    expect(client.request.url).toBe('/room?session=abc');
    expect(client.request.headers['x-trace']).toBe('t-1');
    expect(client.request.headers['sec-websocket-protocol']).toBe('mcp');
    // The handshake's own headers are not kept; its outcome is on the socket.
    for (const name of ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']) {
      expect(client.request.headers).not.toHaveProperty(name);
    }
    expect(client.request.headers.host).toBe(new URL(url).host);
    expect(client.toInfo()).toEqual({
      id: client.id,
      remoteAddress: '127.0.0.1',
      remotePort: client.remotePort,
      connectedAt: client.connectedAt,
      protocol: 'mcp',
      request: client.request,
    });
  });

  it('gives every client its own id', async () => {
    const { server, url } = await startServer();
    const connected = nextValues(server.connections$, 5);
    await Promise.all(Array.from({ length: 5 }, () => RawClient.open(url)));
    const ids = (await connected).map((c) => c.id);
    expect(new Set(ids).size).toBe(5);
  });

  it('disconnections$ reports the close code and reason the client sent', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const client = await RawClient.open(url);
    const { id } = await connected;
    const gone = nextValue(server.disconnections$);
    client.socket.close(4321, 'done here');
    const disconnection = await gone;
    expect(disconnection).toMatchObject({ clientId: id, code: 4321, reason: 'done here', client: { id } });
    expect(server.getClient(id)).toBeUndefined();
  });

  it('disconnections$ reports 1006 for a client that dropped without a close frame', async () => {
    const { server, url } = await startServer();
    const client = await RawClient.open(url);
    const gone = nextValue(server.disconnections$);
    client.socket.terminate();
    expect(await gone).toMatchObject({ code: 1006, reason: '' });
  });

  it('messages$ carries each accepted message with the client that sent it, in order', async () => {
    const { server, url } = await startServer();
    const connected = nextValues(server.connections$, 2);
    const [a, b] = [await RawClient.open(url), await RawClient.open(url)];
    const [ca, cb] = await connected;
    const received = nextValues(server.messages$, 4);
    a.sendJson({ n: 1 });
    a.sendJson({ n: 2 });
    b.sendJson({ n: 3 });
    a.sendJson({ n: 4 });
    const messages = await received;
    const from = (id: string | undefined) => messages.filter((m) => m.client.id === id).map((m) => m.message);
    expect(from(ca?.id)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    expect(from(cb?.id)).toEqual([{ n: 3 }]);
  });

  it('clientCount$ follows connects and disconnects and replays the current count to late subscribers', async () => {
    const { server, url } = await startServer();
    const counts = nextValues(server.clientCount$, 5);
    const a = await RawClient.open(url);
    const b = await RawClient.open(url);
    expect(await firstValueFrom(server.clientCount$)).toBe(2);
    a.socket.close();
    await a.closed;
    b.socket.close();
    expect(await counts).toEqual([0, 1, 2, 1, 0]);
    expect(await firstValueFrom(server.clientCount$)).toBe(0);
  });

  it('errors$ carries typed errors with the client they concern, and never errors itself', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const client = await RawClient.open(url);
    const { id } = await connected;
    const errors = nextValues(server.errors$, 2);
    client.socket.send('not json');
    client.socket.send('[1]');
    const [first, second] = await errors;
    expect(first?.clientId).toBe(id);
    expect(first?.error).toBeInstanceOf(InvalidFrameError);
    expect(first?.error.code).toBe('invalid_frame');
    expect(second?.error.message).toContain('Message must be a JSON object');
    // The stream is still alive after errors, and completes (not errors) on stop.
    const rest = firstValueFrom(server.errors$.pipe(toArray()));
    await server.stop();
    await expect(rest).resolves.toEqual([]);
  });

  describe('waitForClients', () => {
    it('resolves true at once when enough clients are already connected, and for 0', async () => {
      const { server, url } = await startServer();
      await expect(server.waitForClients(0, 10)).resolves.toBe(true);
      await RawClient.open(url);
      await RawClient.open(url);
      await expect(server.waitForClients(2, 10)).resolves.toBe(true);
    });

    it('resolves true when the clients arrive later', async () => {
      const { server, url } = await startServer();
      const waiting = server.waitForClients(2, 10_000);
      await RawClient.open(url);
      await RawClient.open(url);
      await expect(waiting).resolves.toBe(true);
    });

    it('resolves false after the timeout', async () => {
      const { server, url } = await startServer();
      await RawClient.open(url);
      await expect(server.waitForClients(2, 50)).resolves.toBe(false);
    });

    it('resolves false when the server stops first, and after stop', async () => {
      const { server } = await startServer();
      const waiting = server.waitForClients(1, 10_000);
      await server.stop();
      await expect(waiting).resolves.toBe(false);
      await expect(server.waitForClients(1, 10_000)).resolves.toBe(false);
    });

    it('works before start(): clients that come once the server starts count', async () => {
      const server = track(new WebSocketServerTransport({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false }), (s) => s.stop());
      const waiting = server.waitForClients(1, 10_000);
      await server.start();
      await RawClient.open(server.url ?? '');
      await expect(waiting).resolves.toBe(true);
    });
  });
});
