import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import { RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe('WebSocketServerTransport under load', () => {
  it('delivers one broadcast to each of 250 concurrent clients', async () => {
    const { server, url } = await startServer();
    const clients = await Promise.all(Array.from({ length: 250 }, () => RawClient.open(url)));
    await expect(server.waitForClients(250, 10_000)).resolves.toBe(true);
    expect(server.getConnectedClients()).toBe(250);
    await expect(server.broadcastNotification({ event: 'server_update', seq: 1 })).resolves.toBe(250);
    const received = await Promise.all(clients.map((c) => c.next()));
    expect(received).toEqual(Array.from({ length: 250 }, () => ({ event: 'server_update', seq: 1, type: 'notification' })));
  });

  it('keeps broadcasting, in order and to everyone who stays, while clients join and leave mid-send', async () => {
    const { server, url } = await startServer();
    const stayers = await Promise.all(Array.from({ length: 20 }, () => RawClient.open(url)));
    const leavers = await Promise.all(Array.from({ length: 60 }, () => RawClient.open(url)));
    const errors: unknown[] = [];
    const subscription = server.errors$.subscribe((event) => errors.push(event.error));
    const rounds = 40;
    const reached: number[] = [];

    const broadcasting = (async () => {
      for (let seq = 0; seq < rounds; seq++) {
        reached.push(await server.broadcastNotification({ seq }));
        // Let socket events (joins, closes, resets) interleave with the broadcasts.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
    const churning = (async () => {
      const joiners: Promise<RawClient>[] = [];
      for (const [i, leaver] of leavers.entries()) {
        if (i % 2 === 0) leaver.socket.terminate();
        else leaver.socket.close();
        joiners.push(RawClient.open(url));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return Promise.all(joiners);
    })();
    await Promise.all([broadcasting, churning]);
    subscription.unsubscribe();

    expect(reached).toHaveLength(rounds);
    for (const count of reached) expect(count).toBeGreaterThanOrEqual(stayers.length);
    for (const stayer of stayers) {
      const seqs: unknown[] = [];
      for (let i = 0; i < rounds; i++) seqs.push(((await stayer.next()) as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: rounds }, (_, i) => i));
    }
    // Abrupt disconnects may show up as socket errors; nothing else may.
    for (const error of errors) expect(error).toMatchObject({ code: 'socket_error' });
    await expect(server.waitForClients(stayers.length + leavers.length, 5000)).resolves.toBe(true);
  });
});
