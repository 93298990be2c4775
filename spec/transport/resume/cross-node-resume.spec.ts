/**
 * Resumption across nodes, in one process: two servers of a cluster whose bus keeps a log
 * (LoggedCluster, as Redis Streams do), sharing an InMemorySharedSessions, behind a round-robin
 * balancer. A client whose node vanishes — or whose connection drops and comes back through the
 * other node — resumes there as the same client, with every message exactly once and in order.
 */
import type { Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import {
  bearerAuth,
  InMemorySharedSessions,
  LocalCluster,
  ResumeRefusedError,
  SessionExpiredError,
  type ClusterBus,
  type ServerTransportOptions,
  type TransportErrorEvent,
} from '../../../src/transport/index.js';
import { RoundRobinBalancer } from '../../cluster/support/round-robin-balancer.js';
import { closeAll } from '../../support/resources.js';
import { createClient, nextValue, portOf, RawClient, startServer } from '../../support/sockets.js';
import { LoggedCluster } from './support/logged-cluster.js';

afterEach(closeAll);

const LIMITS = { maxMessages: 1000, maxBytes: 1 << 20, maxAgeMs: 60_000 };

function recorder(client: { messages$: Observable<JsonObject> }): JsonObject[] {
  const seen: JsonObject[] = [];
  client.messages$.subscribe((message) => seen.push(message));
  return seen;
}

async function node(bus: ClusterBus, shared: InMemorySharedSessions, options: ServerTransportOptions = {}) {
  const { server, url } = await startServer({ cluster: bus, resume: { shared, liveCheckMs: 200 }, ...options });
  const errors: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  return { server, url, errors, bus };
}

/** Two nodes sharing sessions, behind a balancer whose first connection goes to `a`. */
async function twoNodes(options: ServerTransportOptions = {}, pageSize = 50) {
  const cluster = new LoggedCluster(pageSize);
  const shared = new InMemorySharedSessions(LIMITS);
  const a = await node(cluster.node('a'), shared, options);
  const b = await node(cluster.node('b'), shared, options);
  const balancer = await RoundRobinBalancer.start([portOf(a.server), portOf(b.server)]);
  return { cluster, shared, a, b, balancer };
}

const fastReconnect = { reconnect: { initialDelay: 20, maxDelay: 50, maxRetries: 100 } };

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) throw new Error(`Waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('resumption on another node', () => {
  it('a client whose node vanished resumes on the other: same id, every broadcast once and in order, those published in transit too', async () => {
    const { a, b, balancer } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    await a.server.sendMessage({ n: 1 });
    await b.server.sendMessage({ n: 2 });
    await nextValue(client.messages$, (m) => m['n'] === 2);
    // Its own broadcast after the last it logged from b: in its log already, and on the bus after that position.
    await a.server.sendMessage({ n: 3 });
    await nextValue(client.messages$, (m) => m['n'] === 3);

    const adopted = nextValue(b.server.connections$);
    const outcome = nextValue(client.session$);
    // Node a vanishes: no goodbye on the bus, its sockets cut, the balancer skips it.
    await (a.bus as unknown as { kill(): Promise<void> }).kill();
    balancer.setBackends([portOf(b.server)]);
    balancer.dropAll();
    await b.server.sendMessage({ n: 4 });
    await b.server.sendMessage({ n: 5 });

    expect(await outcome).toEqual({ resumed: true, replayed: 2, expired: false });
    expect((await adopted).id).toBe(original.id);
    await b.server.sendMessage({ n: 6 });
    await nextValue(client.messages$, (m) => m['n'] === 6);
    expect(seen.map((m) => m['n'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.server.getClients().map((c) => c.id)).toEqual([original.id]);
    expect(await b.server.sendTo(original.id, { n: 7 })).toBe(1);
    await nextValue(client.messages$, (m) => m['n'] === 7);
  });

  it("replays what the vanished node logged while holding the session, then the broadcasts nobody logged", async () => {
    const { a, b, balancer, shared } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    await a.server.sendMessage({ n: 1 });
    await nextValue(client.messages$, (m) => m['n'] === 1);

    // The client drops and cannot get back yet; node a holds its session and logs for it.
    balancer.setBackends([]);
    balancer.dropAll();
    await until(() => !original.isOpen, 'node a to notice the drop');
    await a.server.sendMessage({ n: 2 });
    await a.server.sendTo(original.id, { n: 3 });
    await b.server.sendMessage({ n: 4 });
    await until(() => shared.record(original.id)?.sent === 4, 'node a to log 2, 3 and 4');
    // Then node a vanishes, and b broadcasts while nobody holds the session.
    await (a.bus as unknown as { kill(): Promise<void> }).kill();
    await b.server.sendMessage({ n: 5 });
    const outcome = nextValue(client.session$);
    balancer.setBackends([portOf(b.server)]);

    expect(await outcome).toEqual({ resumed: true, replayed: 4, expired: false });
    await b.server.sendMessage({ n: 6 });
    await nextValue(client.messages$, (m) => m['n'] === 6);
    expect(seen.map((m) => m['n'])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('moves a session from a live node that lets it go, under broadcasts from both nodes: each once, in each publisher’s order', async () => {
    const { a, b, balancer, cluster } = await twoNodes({}, 7);
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    const seen = recorder(client);
    const original = await connected;
    const left = nextValue(a.server.disconnections$);
    let count = 0;
    const both = (): void => {
      count += 1;
      for (const [from, server] of [['a', a.server], ['b', b.server]] as const) {
        server.sendMessage({ from, n: count }).catch(() => undefined);
      }
    };
    const timer = setInterval(() => {
      both();
      both();
    }, 1);
    // Right after the taker's mark: broadcasts its catch-up from the bus cannot hold.
    cluster.onAppend = (envelope) => {
      if (envelope.topic === 'resume:mark') queueMicrotask(both);
    };
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
      const numbers = seen.filter((m) => m['from'] === from).map((m) => m['n']);
      expect(numbers).toEqual([...Array.from({ length: count }, (_, i) => i + 1), 'end']);
    }
    expect(await left).toMatchObject({ clientId: original.id, code: 1001, reason: 'Session resumed on another node' });
    expect(b.server.getClients().map((c) => c.id)).toEqual([original.id]);
    expect(a.server.getClients()).toEqual([]);
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

describe('who may resume on another node', () => {
  it('refuses a token whose session is live on its node (and leaves it usable); a spent token is unknown everywhere', async () => {
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

  it("refuses another principal's token on the other node, and the session stays its owner's", async () => {
    const { a, b } = await twoNodes({ authenticate: bearerAuth((token) => ({ clientId: token, scopes: [] })) });
    const alice = await peer(a.url, 'new', { Authorization: 'Bearer alice' });
    alice.raw.socket.terminate();
    await alice.raw.closed;
    const bob = await peer(b.url, `${alice.frame.session}:0`, { Authorization: 'Bearer bob' });
    expect(bob.frame).toMatchObject({ resumed: false, expired: true });
    expect(refusals(b.errors)).toEqual(['principal']);
    const back = await peer(b.url, `${alice.frame.session}:0`, { Authorization: 'Bearer alice' });
    expect(back.frame).toMatchObject({ resumed: true });
  });

  it('tells the client its session expired when the shared store lost its data', async () => {
    const { a, b, balancer, shared } = await twoNodes();
    const connected = nextValue(a.server.connections$);
    const client = createClient(balancer.url(), fastReconnect);
    await client.start();
    await connected;
    const expiredError = nextValue(client.errors$, (error) => error instanceof SessionExpiredError);
    shared.loseEverything();
    await (a.bus as unknown as { kill(): Promise<void> }).kill();
    balancer.setBackends([portOf(b.server)]);
    balancer.dropAll();
    expect(await expiredError).toBeInstanceOf(SessionExpiredError);
  });

  it('says expired, not a silent gap, when the bus keeps no log to catch up from (LocalBus)', async () => {
    const cluster = new LocalCluster();
    const shared = new InMemorySharedSessions(LIMITS);
    const a = await node(cluster.node('a'), shared);
    const b = await node(cluster.node('b'), shared);
    const alice = await peer(a.url, 'new');
    alice.raw.socket.terminate();
    await alice.raw.closed;
    const back = await peer(b.url, `${alice.frame.session}:0`);
    expect(back.frame).toMatchObject({ resumed: false, expired: true });
  });

  it('says expired when the bus log was trimmed past the session’s position', async () => {
    const { a, b, cluster } = await twoNodes();
    const alice = await peer(a.url, 'new');
    await b.server.sendMessage({ n: 1 });
    expect(await alice.raw.next()).toEqual({ n: 1 });
    alice.raw.socket.terminate();
    await alice.raw.closed;
    await (a.bus as unknown as { kill(): Promise<void> }).kill();
    await b.server.sendMessage({ n: 2 });
    await b.server.sendMessage({ n: 3 });
    cluster.trim();
    const back = await peer(b.url, `${alice.frame.session}:1`);
    expect(back.frame).toMatchObject({ resumed: false, expired: true });
  });
});
