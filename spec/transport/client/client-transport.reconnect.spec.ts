import { VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import { nextValue, nextValues, portOf, startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe('WebSocketClientTransport reconnection', () => {
  it('reconnects by itself when the server restarts on the same port, and delivers what it queued, in order', async () => {
    const { server: first, url } = await startServer();
    const port = portOf(first);
    const client = await startClient(url, { reconnect: { initialDelay: 10, maxDelay: 40, maxRetries: 1000 } });
    const states = nextValues(client.state$, 3);

    await first.stop();
    await nextValue(client.state$, (s) => s === 'reconnecting');
    expect(client.isConnected()).toBe(false);
    const queued = [1, 2, 3, 4, 5].map((n) => client.sendMessage({ type: 'queued', n }));

    // Some attempts fail against the closed port before the new server is up.
    const { server: second } = await startServer({ port });
    const received = nextValues(second.messages$, 6);
    await Promise.all(queued);
    expect(await states).toEqual(['open', 'reconnecting', 'open']);
    await client.sendMessage({ type: 'live', n: 6 });
    expect((await received).map((m) => m.message)).toEqual([
      { type: 'queued', n: 1 },
      { type: 'queued', n: 2 },
      { type: 'queued', n: 3 },
      { type: 'queued', n: 4 },
      { type: 'queued', n: 5 },
      { type: 'live', n: 6 },
    ]);
    // One connection, from the one client, on the new server.
    expect(second.getConnectedClients()).toBe(1);
  });

  it('keeps receiving after a reconnect, through the same messages$ and receiveMessage', async () => {
    const { server: first, url } = await startServer();
    const port = portOf(first);
    const client = await startClient(url, { reconnect: { initialDelay: 10, maxDelay: 40, maxRetries: 1000 } });
    await first.broadcastNotification({ from: 'first' });
    expect(await client.receiveMessage(5000)).toEqual({ from: 'first', type: 'notification' });
    const reopened = nextValues(client.state$, 3);
    await first.stop();
    const { server: second } = await startServer({ port });
    await reopened;
    await second.broadcastNotification({ from: 'second' });
    expect(await client.receiveMessage(5000)).toEqual({ from: 'second', type: 'notification' });
  });

  it('resets the retry count after each successful open: it survives more drops than maxRetries', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url, { reconnect: { initialDelay: 5, maxDelay: 10, maxRetries: 1 } });
    for (let drop = 0; drop < 4; drop++) {
      const reopened = nextValues(client.state$, 3);
      const [only] = server.getClients();
      server.closeClient(only?.id ?? '', 1012, 'restarting');
      expect(await reopened).toEqual(['open', 'reconnecting', 'open']);
    }
    expect(client.isConnected()).toBe(true);
  });

  it('gives up with ConnectionFailedError once maxRetries attempts in a row fail, rejecting what it queued', async () => {
    const { server, url } = await startServer();
    const client = await startClient(url, { reconnect: { initialDelay: 5, maxDelay: 10, maxRetries: 3 } });
    const failed = nextValue(client.errors$);
    await server.stop();
    await nextValue(client.state$, (s) => s === 'reconnecting');
    const queued = client.sendMessage({ n: 1 });
    const failure = await failed;
    expect(failure).toMatchObject({ code: 'connection_failed', closeCode: 1006 });
    expect(failure.message).toContain('Gave up reconnecting after 3 retries');
    await expect(queued).rejects.toBe(failure);
    expect(client.state).toBe('closed');
  });

  it('never reconnects after stop(): no timer is left that could', async () => {
    const { server, url } = await startServer();
    let connections = 0;
    server.connections$.subscribe(() => (connections += 1));
    const scheduler = new VirtualTimeScheduler();
    const client = await startClient(url, { reconnect: { initialDelay: 1, maxDelay: 1 }, scheduler });
    const gone = nextValue(server.disconnections$);
    await client.stop();
    expect((await gone).code).toBe(1000);
    expect(scheduler.actions).toEqual([]);
    scheduler.flush();
    expect(connections).toBe(1);
    expect(client.state).toBe('closed');
  });
});
