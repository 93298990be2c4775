import { delay, of, timer, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { SessionExpiredError, type ClientConnection } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { createClient, nextValue, nextValues, RawClient, startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

/** Collects every message a client gets, in order. */
function recorder(client: { messages$: Observable<JsonObject> }): JsonObject[] {
  const seen: JsonObject[] = [];
  client.messages$.subscribe((message) => seen.push(message));
  return seen;
}

const fastReconnect = { reconnect: { initialDelay: 10, maxDelay: 20, maxRetries: 20 } };

describe('session resumption', () => {
  it('a dropped client comes back as the same client and gets what it missed, in order', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const client = await startClient(url, fastReconnect);
    const seen = recorder(client);
    const original: ClientConnection = await connected;
    const disconnections: unknown[] = [];
    server.disconnections$.subscribe((d) => disconnections.push(d));
    const counts: number[] = [];
    server.clientCount$.subscribe((n) => counts.push(n));

    await server.sendMessage({ n: 1 });
    await nextValue(client.messages$);
    const resumed = nextValue(server.resumptions$);
    const outcome = nextValue(client.session$);
    original.terminate(); // the network drops: no close frame either way
    await server.sendMessage({ n: 2 });
    await server.sendTo(original.id, { n: 3 });
    expect(await resumed).toEqual({ clientId: original.id, replayed: 2 });
    expect(await outcome).toEqual({ resumed: true, replayed: 2, expired: false });
    await server.sendMessage({ n: 4 });
    await nextValue(client.messages$, (m) => m['n'] === 4);

    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(server.getClients().map((c) => c.id)).toEqual([original.id]);
    expect(disconnections).toEqual([]);
    expect(counts).toEqual([1]);
  });

  it('resumes drop after drop: each resume spends its token and the client carries the next one', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const client = createClient(url, fastReconnect);
    const opened = nextValue(client.session$);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    expect(await opened).toEqual({ resumed: false, replayed: 0, expired: false });
    for (let n = 1; n <= 3; n++) {
      const outcome = nextValue(client.session$);
      const arrived = nextValue(client.messages$, (m) => m['n'] === n);
      original.terminate();
      await server.sendTo(original.id, { n });
      expect(await outcome).toEqual({ resumed: true, replayed: 1, expired: false });
      await arrived;
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(server.getClients().map((c) => c.id)).toEqual([original.id]);
  });

  it('replays exactly what did not arrive when the socket dies mid-stream: no gap, no duplicate', async () => {
    const total = 4000;
    // The slow-consumer policy would (rightly) close this burst on purpose; here it is about a drop.
    const { server, url } = await startServer({ resume: { maxMessages: total, maxBytes: 64 * 1024 * 1024 }, slowConsumer: false });
    const connected = nextValue(server.connections$);
    const client = await startClient(url, fastReconnect);
    const seen = recorder(client);
    const target = await connected;
    const all = nextValues(client.messages$, total);
    const resumed = nextValue(server.resumptions$);
    // ~16 MB: more than the kernel buffers, so the socket dies with frames still queued in it.
    for (let n = 0; n < total; n++) await server.sendTo(target.id, { n, pad: 'x'.repeat(4000) });
    target.terminate();
    const { replayed } = await resumed;
    await all;
    expect(replayed).toBeGreaterThan(0);
    expect(seen.map((m) => m['n'])).toEqual([...Array(total).keys()]);
  });

  it('delivers a reply the handler finished while its client was away', async () => {
    const { server, url } = await startServer({
      messageHandler: (message) => of({ type: 'late_reply', to: message['id'] }).pipe(delay(300)),
    });
    const connected = nextValue(server.connections$);
    const client = await startClient(url, fastReconnect);
    const target = await connected;
    const reply = nextValue(client.messages$, (m) => m['type'] === 'late_reply');
    await client.sendMessage({ id: 7 });
    await nextValue(server.messages$);
    target.terminate();
    expect(await reply).toEqual({ type: 'late_reply', to: 7 });
  });

  it('ends the session after the window: disconnections$ fires, and the client is told its session expired', async () => {
    const { server, url } = await startServer({ resume: { windowMs: 100 } });
    const connected = nextValues(server.connections$, 2);
    // The client waits ~600 ms before coming back: well past the 100 ms window.
    const client = await startClient(url, { reconnect: { initialDelay: 600, maxDelay: 600, maxRetries: 3 }, random: () => 0.99 });
    const expired = nextValue(client.errors$);
    const outcome = nextValue(client.session$);
    const gone = nextValue(server.disconnections$);
    server.getClients()[0]?.terminate();
    const disconnection = await gone;
    expect(disconnection.code).toBe(1006);
    const error = await expired;
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error.message).toContain('expired');
    expect(await outcome).toEqual({ resumed: false, replayed: 0, expired: true });
    const [a, b] = await connected;
    expect(b?.id).not.toBe(a?.id);
    expect(client.isConnected()).toBe(true);
  });

  it('says "expired" rather than leaving a silent gap when more was sent than the replay log keeps', async () => {
    const { server, url } = await startServer({ resume: { maxMessages: 3 } });
    const connected = nextValue(server.connections$);
    const client = await startClient(url, { reconnect: { initialDelay: 200, maxDelay: 200, maxRetries: 3 }, random: () => 0.99 });
    const target = await connected;
    const expired = nextValue(client.errors$);
    const fresh = nextValue(server.connections$);
    target.terminate();
    // Sent while the client is away (it comes back after ~200 ms): two more than the log keeps.
    for (let n = 0; n < 5; n++) await server.sendTo(target.id, { n });
    expect(await expired).toBeInstanceOf(SessionExpiredError);
    expect((await fresh).id).not.toBe(target.id);
  });

  it('ends a session at once when the client stops on purpose (1000)', async () => {
    const { server, url } = await startServer({ resume: { windowMs: 60_000 } });
    const client = await startClient(url, fastReconnect);
    const gone = nextValue(server.disconnections$);
    await client.stop();
    expect((await gone).code).toBe(1000);
    expect(server.getConnectedClients()).toBe(0);
  });

  it('stop() ends sessions waiting for their clients without waiting out the window', async () => {
    const { server, url } = await startServer({ resume: { windowMs: 60_000 } });
    const connected = nextValue(server.connections$);
    await startClient(url, { reconnect: { initialDelay: 5000, maxDelay: 5000, maxRetries: 1 }, random: () => 0.99 });
    const target = await connected;
    const gone = nextValue(server.disconnections$);
    target.terminate();
    await nextValue(timer(50)); // the server notices the drop and starts waiting for the client
    await server.stop();
    expect((await gone).code).toBe(1001);
  });

  it('a server with resumption off answers normally and the client stops asking', async () => {
    const { url } = await startServer({ resume: false, messageHandler: (m) => ({ echo: m }) });
    const client = await startClient(url, fastReconnect);
    const reply = nextValue(client.messages$);
    await client.sendMessage({ hi: 1 });
    expect(await reply).toEqual({ echo: { hi: 1 } });
  });

  it('never shows the session parameter or frame to applications or plain clients', async () => {
    const { server, url } = await startServer({ resume: { windowMs: 1000 }, messageHandler: (m) => ({ echo: m }) });
    const connected = nextValue(server.connections$);
    await startClient(`${url}/?room=1`, fastReconnect);
    expect((await connected).request.url).toBe('/?room=1');
    // A plain client never asks for a session, so its first frame is the reply, not a session frame.
    const raw = await RawClient.open(url);
    raw.sendJson({ ping: 1 });
    expect(await raw.next()).toEqual({ echo: { ping: 1 } });
  });
});
