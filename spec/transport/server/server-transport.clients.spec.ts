import { VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CloseCode,
  InboxOverflowError,
  ReceiveTimeoutError,
  SerializationError,
  TransportStoppedError,
} from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, nextValues, RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

/** A server with `n` raw clients connected, and the server-side connection of each, in the same order. */
async function serverWithClients(n: number, options: Parameters<typeof startServer>[0] = {}) {
  const { server, url } = await startServer(options);
  const clients: RawClient[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const connected = nextValue(server.connections$);
    clients.push(await RawClient.open(url));
    ids.push((await connected).id);
  }
  return { server, url, clients, ids };
}

describe('WebSocketServerTransport sending', () => {
  it("broadcastNotification sends the notification with type 'notification' to every client and reports how many", async () => {
    const { server, clients } = await serverWithClients(3);
    const notification = Object.freeze({ event: 'server_update', data: Object.freeze({ version: 2 }) });
    await expect(server.broadcastNotification(notification)).resolves.toBe(3);
    for (const client of clients) expect(await client.next()).toEqual({ event: 'server_update', data: { version: 2 }, type: 'notification' });
  });

  it("never mutates the caller's object, even when it has a type of its own", async () => {
    const { server, clients } = await serverWithClients(1);
    const notification = { type: 'custom', event: 'e' };
    await server.broadcastNotification(notification);
    expect(notification).toEqual({ type: 'custom', event: 'e' });
    expect(await clients[0]?.next()).toEqual({ type: 'notification', event: 'e' });
  });

  it('resolves 0 with nobody connected', async () => {
    const { server } = await startServer();
    await expect(server.broadcastNotification({ event: 'x' })).resolves.toBe(0);
    await expect(server.sendMessage({ event: 'x' })).resolves.toBe(0);
  });

  it('sendMessage sends the message as is to every client', async () => {
    const { server, clients } = await serverWithClients(2);
    await expect(server.sendMessage({ type: 'announcement', text: 'hi' })).resolves.toBe(2);
    for (const client of clients) expect(await client.next()).toEqual({ type: 'announcement', text: 'hi' });
  });

  it('sendTo sends to one client only, and resolves 0 for an unknown id', async () => {
    const { server, clients, ids } = await serverWithClients(2);
    await expect(server.sendTo(ids[1] ?? '', { type: 'private' })).resolves.toBe(1);
    await expect(server.sendTo('no-such-client', { type: 'private' })).resolves.toBe(0);
    await server.sendMessage({ type: 'marker' });
    expect(await clients[0]?.next()).toEqual({ type: 'marker' });
    expect(await clients[1]?.next()).toEqual({ type: 'private' });
    expect(await clients[1]?.next()).toEqual({ type: 'marker' });
  });

  it('rejects with SerializationError for a message that is not JSON-serialisable, sending nothing', async () => {
    const { server, clients, ids } = await serverWithClients(1);
    const cyclic: Record<string, unknown> = { type: 'loop' };
    cyclic['self'] = cyclic;
    await expect(server.sendMessage(cyclic)).rejects.toThrow(SerializationError);
    await expect(server.broadcastNotification({ n: 1n })).rejects.toThrow(SerializationError);
    await expect(server.sendTo(ids[0] ?? '', cyclic)).rejects.toMatchObject({ code: 'serialization_failed' });
    await server.sendMessage({ type: 'marker' });
    expect(await clients[0]?.next()).toEqual({ type: 'marker' });
  });

  it('skips a client whose socket is closing and does not count it', async () => {
    const { server, clients, ids } = await serverWithClients(2);
    server.closeClient(ids[0] ?? '');
    // The first socket is closing now; the broadcast reaches only the other one.
    await expect(server.sendMessage({ type: 'after' })).resolves.toBe(1);
    expect(await clients[1]?.next()).toEqual({ type: 'after' });
    expect((await clients[0]?.closed)?.code).toBe(CloseCode.Normal);
  });
});

describe('WebSocketServerTransport client management', () => {
  it('getConnectedClients, getClients and getClient describe who is connected', async () => {
    const { server, clients, ids } = await serverWithClients(3);
    expect(server.getConnectedClients()).toBe(3);
    expect(server.getClients().map((c) => c.id).sort()).toEqual([...ids].sort());
    const client = server.getClient(ids[1] ?? '');
    expect(client?.id).toBe(ids[1]);
    expect(client?.isOpen).toBe(true);
    expect(server.getClient('nobody')).toBeUndefined();
    const gone = nextValue(server.disconnections$);
    clients[1]?.socket.close();
    await gone;
    expect(server.getConnectedClients()).toBe(2);
    expect(server.getClient(ids[1] ?? '')).toBeUndefined();
    expect(server.getClients().map((c) => c.id)).not.toContain(ids[1]);
  });

  it('closeClient closes one client with the given code and reason, and says whether it was connected', async () => {
    const { server, clients, ids } = await serverWithClients(2);
    const gone = nextValue(server.disconnections$);
    expect(server.closeClient(ids[0] ?? '', 4100, 'kicked')).toBe(true);
    expect(await clients[0]?.closed).toEqual({ code: 4100, reason: 'kicked' });
    expect(await gone).toMatchObject({ clientId: ids[0], code: 4100, reason: 'kicked' });
    expect(server.closeClient('nobody')).toBe(false);
    expect(server.closeClient(ids[0] ?? '')).toBe(false);
    expect(server.getConnectedClients()).toBe(1);
  });

  it('closeClient defaults to 1000 with no reason', async () => {
    const { server, clients, ids } = await serverWithClients(1);
    server.closeClient(ids[0] ?? '');
    expect(await clients[0]?.closed).toEqual({ code: 1000, reason: '' });
  });

  it('closeClient with an invalid close code throws and leaves the client connected', async () => {
    const { server, ids } = await serverWithClients(1);
    expect(() => server.closeClient(ids[0] ?? '', 999)).toThrow(RangeError);
    expect(() => server.closeClient(ids[0] ?? '', 1006)).toThrow(RangeError);
    expect(() => server.closeClient(ids[0] ?? '', 1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(server.getConnectedClients()).toBe(1);
  });
});

describe('WebSocketServerTransport receiveMessage', () => {
  it('resolves with the next message from any client, with its sender', async () => {
    const { server, clients, ids } = await serverWithClients(2);
    const next = server.receiveMessage(5000);
    clients[1]?.sendJson({ type: 'hello' });
    const received = await next;
    expect(received.message).toEqual({ type: 'hello' });
    expect(received.client.id).toBe(ids[1]);
  });

  it('keeps nothing before its first call (no unbounded queue for a server that never reads)', async () => {
    const { server, clients } = await serverWithClients(1);
    const seen = nextValue(server.messages$);
    clients[0]?.sendJson({ n: 'before' });
    await seen;
    await expect(server.receiveMessage(30)).rejects.toThrow(ReceiveTimeoutError);
  });

  it('after the first call, keeps what arrives between calls, in order', async () => {
    const { server, clients } = await serverWithClients(1);
    await expect(server.receiveMessage(1)).rejects.toThrow(ReceiveTimeoutError);
    const seen = nextValues(server.messages$, 3);
    for (const n of [1, 2, 3]) clients[0]?.sendJson({ n });
    await seen;
    const received = [await server.receiveMessage(), await server.receiveMessage(), await server.receiveMessage()];
    expect(received.map((r) => r.message)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('bounds what it keeps by inboxSize, dropping the oldest and reporting it on errors$', async () => {
    const { server, clients, ids } = await serverWithClients(1, { inboxSize: 2 });
    await expect(server.receiveMessage(1)).rejects.toThrow(ReceiveTimeoutError);
    const seen = nextValues(server.messages$, 4);
    const overflow = nextValue(server.errors$);
    for (const n of [1, 2, 3, 4]) clients[0]?.sendJson({ n });
    await seen;
    const event = await overflow;
    expect(event.error).toBeInstanceOf(InboxOverflowError);
    expect(event.clientId).toBe(ids[0]);
    expect((await server.receiveMessage()).message).toEqual({ n: 3 });
    expect((await server.receiveMessage()).message).toEqual({ n: 4 });
  });

  it('rejects with ReceiveTimeoutError after the timeout', async () => {
    const { server } = await startServer();
    await expect(server.receiveMessage(20)).rejects.toThrow('No message arrived within 20 ms');
  });

  it('rejects waiting and later calls with TransportStoppedError on stop()', async () => {
    const { server } = await startServer();
    const waiting = server.receiveMessage();
    await server.stop();
    await expect(waiting).rejects.toThrow(TransportStoppedError);
    await expect(server.receiveMessage()).rejects.toThrow(TransportStoppedError);

    const { server: other } = await startServer();
    await other.stop();
    await expect(other.receiveMessage(10_000)).rejects.toThrow(TransportStoppedError);
  });
});

describe('WebSocketServerTransport heartbeat', () => {
  it('terminates a client that does not answer pings, and keeps one that does', async () => {
    // A generous timeout: the healthy client's pongs must not miss it on a loaded machine.
    const { server, url } = await startServer({ heartbeat: { interval: 300, timeout: 200 } });
    const connected = nextValues(server.connections$, 2);
    const silent = await RawClient.open(url, undefined, { autoPong: false });
    const healthy = await RawClient.open(url);
    const [silentInfo, healthyInfo] = await connected;
    const gone = nextValue(server.disconnections$);
    const healthyPings = new Promise<void>((resolve) => {
      let pings = 0;
      healthy.socket.on('ping', () => {
        pings += 1;
        if (pings === 4) resolve();
      });
    });
    const disconnection = await gone;
    expect(disconnection.clientId).toBe(silentInfo?.id);
    expect(disconnection.code).toBe(CloseCode.Abnormal);
    expect((await silent.closed).code).toBe(CloseCode.Abnormal);
    await healthyPings;
    expect(server.getClients().map((c) => c.id)).toEqual([healthyInfo?.id]);
  });

  it('schedules no pings with heartbeat: false, and one timer for every client with it on', async () => {
    const off = new VirtualTimeScheduler();
    await startServer({ heartbeat: false, scheduler: off });
    expect(off.actions).toEqual([]);

    const on = new VirtualTimeScheduler();
    const { url } = await startServer({ heartbeat: { interval: 1000, timeout: 100 }, scheduler: on });
    await Promise.all([RawClient.open(url), RawClient.open(url), RawClient.open(url)]);
    expect(on.actions).toHaveLength(1);
  });
});
