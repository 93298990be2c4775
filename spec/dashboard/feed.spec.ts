/**
 * The dashboard's live feed, read by a plain `ws` client against real servers: what a page is sent
 * first, how snapshots follow clients that connect, send and leave, the slow-consumer and close-code
 * tallies, and that a viewer is none of the server's clients.
 */
import { Subject, takeUntil } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster, type ClientConnection } from '../../src/transport/index.js';
import { closeAll } from '../support/resources.js';
import { portOf, RawClient, startClient, startServer } from '../support/sockets.js';
import { FeedClient, type Snapshot } from './feed-client.js';

afterEach(closeAll);

const feedUrl = (port: number): string => `ws://127.0.0.1:${port}/dashboard/live`;
const row = (snapshot: Snapshot, id: string): Snapshot['clients']['listed'][number] | undefined => snapshot.clients.listed.find((c) => c.id === id);

describe('the live feed', () => {
  it('starts with a hello (history, events, latest snapshot), then snapshots that follow clients connecting, sending and leaving', async () => {
    const { server, url } = await startServer({ dashboard: { sampleMs: 50 }, messageHandler: (message) => ({ type: 'echo', original: message }) });
    const feed = await FeedClient.open(feedUrl(portOf(server)));
    const hello = await feed.until('hello', (frame) => frame.type === 'hello');
    expect(hello['sampleMs']).toBe(50);
    expect(Array.isArray(hello['history'])).toBe(true);
    expect((hello['snapshot'] as Snapshot).clients.count).toBe(0);

    const arrived: ClientConnection[] = [];
    server.connections$.subscribe((client) => arrived.push(client));
    const a = await startClient(url);
    const b = await startClient(url, { protocols: ['mcp'] });
    const two = await feed.snapshot('two clients', (s) => s.clients.count === 2);
    expect(two.clients.listed.map((c) => c.protocol)).toEqual(['', 'mcp']);
    expect(two.clients.listed.every((c) => c.address.startsWith('127.0.0.1:'))).toBe(true);

    for (let i = 0; i < 3; i++) await a.sendMessage({ type: 'ping', n: i });
    const aId = arrived[0]?.id ?? '';
    const counted = await feed.snapshot('a sent 3 and got 3 replies', (s) => row(s, aId)?.messagesIn === 3 && row(s, aId)?.messagesOut === 3);
    expect(counted.traffic.messagesIn).toBeGreaterThanOrEqual(3);
    expect(row(counted, arrived[1]?.id ?? '')?.messagesIn).toBe(0);

    await b.stop();
    const one = await feed.nextSnapshot('b gone', (s) => s.clients.count === 1);
    expect(one.closeCodes).toEqual({ '1000': 1 });
    expect(one.clients.listed.map((c) => c.id)).toEqual([aId]);
    await feed.event('the leave event', (e) => e['kind'] === 'leave' && e['clientId'] === arrived[1]?.id);
    await feed.event('a connect event', (e) => e['kind'] === 'connect' && e['clientId'] === aId);
  });

  it('is not a client: not counted, not on connections$, not reached by broadcasts, not in the traffic totals', async () => {
    const { server } = await startServer({ dashboard: { sampleMs: 50 } });
    const stop = new Subject<void>();
    const seen: string[] = [];
    server.connections$.pipe(takeUntil(stop)).subscribe((client) => seen.push(client.id));
    const feed = await FeedClient.open(feedUrl(portOf(server)));
    await feed.snapshot('a few snapshots in', (s) => (s['uptimeMs'] as number) >= 200);
    expect(server.getConnectedClients()).toBe(0);
    expect(server.getClients()).toEqual([]);
    expect(seen).toEqual([]);
    expect(await server.broadcastNotification({ event: 'hello everyone' })).toBe(0);
    const broadcastAt = feed.received.length;
    const after = await feed.nextSnapshot('a snapshot after the broadcast');
    expect(after.traffic.messagesOut).toBe(0);
    // The feed is one ordered socket: a broadcast to it would have come before this snapshot.
    expect(feed.received.slice(broadcastAt).map((f) => f.type)).not.toContain('notification');
    expect(feed.received.map((f) => f.type)).toEqual(expect.arrayContaining(['hello', 'snapshot']));
    stop.next();
  });

  it('shows a slow consumer while it is congested, and no more once it has drained', async () => {
    const { server, url } = await startServer({ dashboard: { sampleMs: 50 }, slowConsumer: { highWatermark: 64 * 1024, policy: 'drop-newest' } });
    const feed = await FeedClient.open(feedUrl(portOf(server)));
    const arrived = new Promise<ClientConnection>((resolve) => server.connections$.subscribe(resolve));
    const stalled = await RawClient.open(url, 'mcp');
    const client = await arrived;
    stalled.socket.pause(); // reads nothing from here on
    const big = { type: 'data', blob: 'x'.repeat(256 * 1024) };
    const congested = new Promise((resolve) => server.slowConsumer$.subscribe(resolve));
    const state = { sending: true };
    void congested.then(() => (state.sending = false));
    for (let i = 0; i < 400 && state.sending; i++) {
      await server.sendTo(client.id, big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await feed.snapshot('listed as slow', (s) => s.slow.some((slow) => slow.clientId === client.id));
    await feed.event('the congestion event', (e) => e['kind'] === 'slow' && e['clientId'] === client.id && String(e['text']).includes('congested'));
    stalled.socket.resume(); // reads again: the buffer drains
    await feed.event('the drained event', (e) => e['kind'] === 'slow' && String(e['text']).includes('drained'));
    await feed.snapshot('no longer slow', (s) => s.slow.length === 0 && s.clients.count === 1);
  });

  it('with a cluster bus, lists every node and its clients', async () => {
    const cluster = new LocalCluster();
    const { server: a } = await startServer({ cluster: cluster.node('node-a'), dashboard: { sampleMs: 50 } });
    const { url: bUrl } = await startServer({ cluster: cluster.node('node-b') });
    await startClient(bUrl);
    await startClient(bUrl);
    const feed = await FeedClient.open(feedUrl(portOf(a)));
    const seen = await feed.snapshot('both nodes, two clients on b', (s) => s.cluster?.nodes.find((n) => n.nodeId === 'node-b')?.clients === 2);
    expect(seen['node']).toBe('node-a');
    expect(seen.cluster?.bus).toBe('connected');
    expect(seen.cluster?.nodes.map((n) => [n.nodeId, n.self]).sort()).toEqual([
      ['node-a', true],
      ['node-b', false],
    ]);
    expect(seen.clients.count).toBe(0);
  });

  it('closes every viewer with 1001 when the server stops', async () => {
    const { server } = await startServer({ dashboard: true });
    const feed = await FeedClient.open(feedUrl(portOf(server)));
    await feed.until('hello', (frame) => frame.type === 'hello');
    await server.stop();
    expect(await feed.closed).toBe(1001);
  });

  it('refuses viewers past maxViewers with 503', async () => {
    const { server } = await startServer({ dashboard: { maxViewers: 1 } });
    await FeedClient.open(feedUrl(portOf(server)));
    await expect(FeedClient.open(feedUrl(portOf(server)))).rejects.toThrow(/503/);
  });
});
