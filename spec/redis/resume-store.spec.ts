/**
 * The shared session directory and replay log, by their contract: the same cases against the
 * in-memory implementation and against Redis (a redis-server of the test's own). Single-use tokens
 * across nodes, records that lapse, a cut-off node that cannot forget or write to a session another
 * holds, the log read from the client's own offset and bounded, and a lost epoch reported.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisSessions } from '../../src/redis/index.js';
import { InMemorySharedSessions, type ReplayEntry, type ReplayLimits, type SharedSessions } from '../../src/transport/index.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';

afterEach(closeAll);

const LIMITS: ReplayLimits = { maxMessages: 5, maxBytes: 1000, maxAgeMs: 60_000 };
const TTL = 60_000;
const T1 = 'a'.repeat(32);
const T2 = 'b'.repeat(32);
const T3 = 'c'.repeat(32);

interface Implementation {
  readonly shared: SharedSessions;
  /** Loses everything, as a Redis restarted empty would. */
  loseEverything(): Promise<void>;
}

const implementations: Record<string, (limits: ReplayLimits) => Promise<Implementation>> = {
  'in memory': (limits) => {
    const shared = new InMemorySharedSessions(limits);
    return Promise.resolve({ shared, loseEverything: () => Promise.resolve(shared.loseEverything()) });
  },
  Redis: async (limits) => {
    const redis = await RedisServer.start();
    const connection = track(new Redis(redis.url, { maxRetriesPerRequest: 1 }), (c) => c.disconnect());
    connection.on('error', () => undefined);
    return { shared: redisSessions({ redis: connection, ...limits }), loseEverything: () => connection.flushall().then(() => undefined) };
  },
};

function entry(seq: number, data = `frame ${seq}`, at = Date.now()): ReplayEntry {
  return { seq, data, bytes: Buffer.byteLength(data), at };
}

const session = { id: 's1', clientId: 'c1', owner: 'alice', nodeId: 'a', position: '100-1' };

describe.each(Object.keys(implementations))('shared sessions (%s)', (name) => {
  const make = implementations[name] as (limits: ReplayLimits) => Promise<Implementation>;

  it('finds a session by its token, with what its node logged', async () => {
    const { shared } = await make(LIMITS);
    await shared.directory.open(session, T1, TTL);
    expect(await shared.log.append('s1', 'a', entry(1), undefined)).toBe('appended');
    expect(await shared.log.append('s1', 'a', entry(2), '200-3')).toBe('appended');
    const found = await shared.directory.lookup(T1);
    expect(found).toMatchObject({ kind: 'found', record: { id: 's1', clientId: 'c1', owner: 'alice', nodeId: 'a', sent: 2, position: '200-3' } });
    expect(await shared.directory.lookup(T2)).toEqual({ kind: 'unknown' });
  });

  it('spends a token once across nodes: of two claims, one wins; the successor then names the session', async () => {
    const { shared } = await make(LIMITS);
    await shared.directory.open(session, T1, TTL);
    const [first, second] = await Promise.all([
      shared.directory.claim(T1, 's1', T2, 'b', TTL),
      shared.directory.claim(T1, 's1', T3, 'c', TTL),
    ]);
    expect([first, second].filter((record) => record !== undefined)).toHaveLength(1);
    expect(first).toMatchObject({ nodeId: 'a', sent: 0 });
    expect(await shared.directory.lookup(T1)).toEqual({ kind: 'unknown' });
    expect(await shared.directory.lookup(T2)).toMatchObject({ kind: 'found', record: { nodeId: 'b', state: 'held' } });
    expect(await shared.directory.lookup(T3)).toEqual({ kind: 'unknown' });
  });

  it('once another node claimed it, the old node can neither write to its log nor forget it', async () => {
    const { shared } = await make(LIMITS);
    await shared.directory.open(session, T1, TTL);
    await shared.log.append('s1', 'a', entry(1), undefined);
    await shared.directory.claim(T1, 's1', T2, 'b', TTL);
    expect(await shared.log.append('s1', 'a', entry(2), undefined)).toBe('moved');
    await shared.directory.forget('s1', 'a');
    expect(await shared.directory.lookup(T2)).toMatchObject({ kind: 'found', record: { nodeId: 'b', sent: 1 } });
    expect(await shared.log.append('s1', 'b', entry(2), undefined)).toBe('appended');
    await shared.directory.forget('s1', 'b');
    expect(await shared.directory.lookup(T2)).toEqual({ kind: 'unknown' });
    expect(await shared.log.append('s1', 'b', entry(3), undefined)).toBe('missing');
  });

  it('reads the log from the client’s own offset, exactly the frames asked for, or says it cannot', async () => {
    const { shared } = await make(LIMITS);
    await shared.directory.open(session, T1, TTL);
    for (let seq = 1; seq <= 8; seq++) await shared.log.append('s1', 'a', entry(seq), undefined);
    const read = async (after: number, upTo: number) => (await shared.log.since('s1', after, upTo, Date.now()))?.map((e) => e.seq);
    expect(await read(5, 8)).toEqual([6, 7, 8]);
    expect(await read(3, 8)).toEqual([4, 5, 6, 7, 8]);
    expect(await read(8, 8)).toEqual([]);
    // maxMessages 5: frames 1 to 3 are gone.
    expect(await read(2, 8)).toBeUndefined();
    expect(await read(9, 8)).toBeUndefined();
    expect((await shared.log.since('s1', 6, 8, Date.now() + LIMITS.maxAgeMs + 1))?.length).toBeUndefined();
  });

  it('keeps the log within maxBytes', async () => {
    const { shared } = await make({ ...LIMITS, maxMessages: 100, maxBytes: 250 });
    await shared.directory.open(session, T1, TTL);
    for (let seq = 1; seq <= 5; seq++) await shared.log.append('s1', 'a', entry(seq, 'x'.repeat(100)), undefined);
    expect(await shared.log.since('s1', 3, 5, Date.now())).toHaveLength(2);
    expect(await shared.log.since('s1', 2, 5, Date.now())).toBeUndefined();
  });

  it('lets a record lapse when nobody renews it, and keeps it while its node does', async () => {
    const { shared } = await make(LIMITS);
    await shared.directory.open(session, T1, 150);
    await shared.directory.open({ ...session, id: 's2' }, T2, 150);
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      await shared.directory.touch(['s2'], 150);
    }
    expect(await shared.directory.lookup(T1)).toEqual({ kind: 'unknown' });
    expect(await shared.directory.lookup(T2)).toMatchObject({ kind: 'found' });
  });

  it('knows nothing of a session after the store lost its data', async () => {
    const store = await make(LIMITS);
    await store.shared.directory.open(session, T1, TTL);
    await store.loseEverything();
    expect((await store.shared.directory.lookup(T1)).kind).not.toBe('found');
  });
});

describe('Redis shared sessions and the epoch', () => {
  it('reports a session recorded under another epoch as expired', async () => {
    const redis = await RedisServer.start();
    const connection = track(new Redis(redis.url, { maxRetriesPerRequest: 1 }), (c) => c.disconnect());
    const shared = redisSessions({ redis: connection });
    await shared.directory.open(session, T1, TTL);
    // The epoch key replaced (a failover to a replica that had another): the record's epoch is not the store's.
    await connection.set('nexus:epoch', 'another');
    expect(await shared.directory.lookup(T1)).toMatchObject({ kind: 'expired' });
  });

  it('keeps every key under its prefix, each with a TTL', async () => {
    const redis = await RedisServer.start();
    const connection = track(new Redis(redis.url, { maxRetriesPerRequest: 1 }), (c) => c.disconnect());
    const shared = redisSessions({ redis: connection, prefix: 'app' });
    await shared.directory.open(session, T1, TTL);
    await shared.log.append('s1', 'a', entry(1), undefined);
    const keys = (await connection.keys('*')).sort();
    expect(keys).toEqual(['app:epoch', `app:session:s1`, 'app:session:s1:log', `app:token:${T1}`]);
    for (const key of keys.filter((k) => k !== 'app:epoch')) expect(await connection.pttl(key)).toBeGreaterThan(0);
    expect(await connection.xrange('app:session:s1:log', '-', '+')).toEqual([['1-1', ['d', 'frame 1', 'b', '7', 'a', expect.any(String)]]]);
  });
});
