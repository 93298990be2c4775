/**
 * Resumption on any node, on a real redis-server: two servers with a RedisBus and their own
 * redisSessions, behind a round-robin balancer. A node cut off abruptly (its Redis connections
 * dropped without a goodbye, its sockets cut), a live node letting a session go, tokens in the wrong
 * hands, and Redis restarted empty.
 */
import { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/protocol/index.js';
import { RedisBus, redisSessions } from '../../src/redis/index.js';
import { bearerAuth, ResumeRefusedError, SessionExpiredError, type ServerTransportOptions, type TransportErrorEvent } from '../../src/transport/index.js';
import { RoundRobinBalancer } from '../cluster/support/round-robin-balancer.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';
import { createClient, nextValue, portOf, RawClient, startServer } from '../support/sockets.js';
import { recordStatus, statusOf } from './bus-support.js';

afterEach(closeAll);

/** A node: a server with a RedisBus and shared sessions, whose every Redis connection `kill()` drops. */
async function redisNode(redis: RedisServer, nodeId: string, options: ServerTransportOptions = {}) {
  const connections: Redis[] = [];
  const remember = (connection: Redis): Redis => {
    connections.push(connection);
    connection.on('error', () => undefined);
    return track(connection, (c) => c.disconnect());
  };
  const bus = new RedisBus({ nodeId, leaseMs: 1000, connect: (needed) => remember(new Redis(redis.url, { ...needed })) });
  const shared = redisSessions({ redis: remember(new Redis(redis.url, { maxRetriesPerRequest: 1 })), maxMessages: 1000 });
  const { server, url } = await startServer({ cluster: bus, resume: { shared, liveCheckMs: 300 }, ...options });
  const errors: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  /** Dies as a SIGKILLed process looks to the others: no goodbye, nothing answered any more. */
  const kill = (): void => {
    for (const connection of connections) connection.disconnect();
  };
  return { server, url, errors, bus, kill };
}

async function twoNodes(options: ServerTransportOptions = {}) {
  const redis = await RedisServer.start();
  const a = await redisNode(redis, 'a', options);
  const b = await redisNode(redis, 'b', options);
  const balancer = await RoundRobinBalancer.start([portOf(a.server), portOf(b.server)]);
  return { redis, a, b, balancer };
}

function recorder(client: { messages$: Observable<JsonObject> }): JsonObject[] {
  const seen: JsonObject[] = [];
  client.messages$.subscribe((message) => seen.push(message));
  return seen;
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > ms) throw new Error(`Waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fastReconnect = { reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 200 } };

describe('resumption across nodes on Redis', () => {
  it('a client whose node died resumes on the other: same id, every broadcast once and in order, those published in transit too', async () => {
    const { a, b, balancer } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    await b.server.waitForClients(1, 5000);
    await a.server.sendMessage({ n: 1 });
    await b.server.sendMessage({ n: 2 });
    await until(() => seen.length === 2, 'the first two broadcasts');
    await a.server.sendMessage({ n: 3 });
    await until(() => seen.length === 3, 'the third');

    a.kill();
    balancer.setBackends([portOf(b.server)]);
    // While the client is in transit, b broadcasts.
    const outcome = nextValue(client.session$, () => true, 'the resume');
    await b.server.sendMessage({ n: 4 });
    balancer.dropAll();
    await b.server.sendMessage({ n: 5 });

    expect(await outcome).toMatchObject({ resumed: true, expired: false });
    // The resumed client is one of b's clients: a broadcast counts it.
    expect(await b.server.sendMessage({ n: 6 })).toBe(1);
    await until(() => seen.some((m) => m['n'] === 6), 'the broadcast after the resume');
    expect(seen.map((m) => m['n'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.server.getClients().map((c) => c.id)).toEqual([original.id]);
    expect(await b.server.sendTo(original.id, { n: 7 })).toBe(1);
    await until(() => seen.some((m) => m['n'] === 7), 'a send to the resumed client');
  });

  it('moves a session from a live node that lets it go, under broadcasts from both nodes: each once, in each publisher’s order', async () => {
    const { a, b, balancer } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    const left = nextValue(a.server.disconnections$, () => true, 'the session leaving a');
    let count = 0;
    const timer = setInterval(() => {
      count += 1;
      a.server.sendMessage({ from: 'a', n: count }).catch(() => undefined);
      b.server.sendMessage({ from: 'b', n: count }).catch(() => undefined);
    }, 2);
    track(timer, clearInterval);
    await until(() => count >= 20, 'broadcasts before the drop');
    const outcome = nextValue(client.session$, () => true, 'the resume');
    balancer.setBackends([portOf(b.server)]);
    balancer.dropAll();
    expect((await outcome).resumed).toBe(true);
    const resumedAt = count;
    await until(() => count >= resumedAt + 20, 'broadcasts after the resume');
    clearInterval(timer);
    await a.server.sendMessage({ from: 'a', n: 'end' });
    await b.server.sendMessage({ from: 'b', n: 'end' });
    await until(() => seen.filter((m) => m['n'] === 'end').length === 2, 'both ends');

    for (const from of ['a', 'b']) {
      expect(seen.filter((m) => m['from'] === from).map((m) => m['n'])).toEqual([...Array.from({ length: count }, (_, i) => i + 1), 'end']);
    }
    expect(await left).toMatchObject({ clientId: original.id, code: 1001 });
  });

  it('tells the client its session expired after Redis restarted empty (a new epoch)', async () => {
    const { redis, a, b, balancer } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    await connected;
    const statusA = recordStatus(a.bus);
    const statusB = recordStatus(b.bus);
    await redis.restart();
    await statusOf(statusA, 'resubscribed');
    await statusOf(statusB, 'resubscribed');
    const expiredError = nextValue(client.errors$, (error) => error instanceof SessionExpiredError, 'SessionExpiredError');
    a.kill();
    balancer.setBackends([portOf(b.server)]);
    balancer.dropAll();
    expect(await expiredError).toBeInstanceOf(SessionExpiredError);
    await b.server.sendMessage({ after: 'expiry' });
    await nextValue(client.messages$, (m) => m['after'] === 'expiry', 'a fresh session working');
  });
});

interface SessionFrame {
  readonly session: string;
  readonly resumed: boolean;
  readonly replayed?: number;
  readonly expired?: boolean;
}

async function peer(url: string, ask: string, headers: Record<string, string> = {}): Promise<{ raw: RawClient; frame: SessionFrame }> {
  const raw = await RawClient.open(url, 'mcp', { headers: { ...headers, 'nexus-session': ask } });
  return { raw, frame: (await raw.next()) as SessionFrame };
}

const refusals = (errors: TransportErrorEvent[]): string[] =>
  errors.map((event) => event.error).flatMap((error) => (error instanceof ResumeRefusedError ? [error.reason] : []));

describe('who may resume across nodes on Redis', () => {
  it('refuses a token live on its node, resumes it once dropped, and refuses it replayed on either node', async () => {
    const { a, b } = await twoNodes();
    const alice = await peer(a.url, 'new');
    const thief = await peer(b.url, `${alice.frame.session}:0`);
    expect(thief.frame).toMatchObject({ resumed: false, expired: true });
    expect(refusals(b.errors)).toEqual(['live']);
    await a.server.sendMessage({ n: 1 });
    expect(await alice.raw.next()).toEqual({ n: 1 });

    alice.raw.socket.terminate();
    await alice.raw.closed;
    const back = await peer(b.url, `${alice.frame.session}:1`);
    expect(back.frame).toMatchObject({ resumed: true, replayed: 0 });
    for (const url of [a.url, b.url]) {
      const replayed = await peer(url, `${alice.frame.session}:1`);
      expect(replayed.frame).toMatchObject({ resumed: false, expired: true });
    }
  });

  it("refuses another principal's token on the other node; its owner resumes there", async () => {
    const { a, b } = await twoNodes({ authenticate: bearerAuth((token) => ({ clientId: token, scopes: [] })) });
    const alice = await peer(a.url, 'new', { Authorization: 'Bearer alice' });
    await a.server.sendMessage({ n: 1 });
    expect(await alice.raw.next()).toEqual({ n: 1 });
    alice.raw.socket.terminate();
    await alice.raw.closed;
    await a.server.sendMessage({ n: 2 });
    const bob = await peer(b.url, `${alice.frame.session}:1`, { Authorization: 'Bearer bob' });
    expect(bob.frame).toMatchObject({ resumed: false, expired: true });
    expect(refusals(b.errors)).toEqual(['principal']);
    const back = await peer(b.url, `${alice.frame.session}:1`, { Authorization: 'Bearer alice' });
    expect(back.frame).toMatchObject({ resumed: true, replayed: 1 });
    expect(await back.raw.next()).toEqual({ n: 2 });
  });
});
