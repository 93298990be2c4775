/**
 * Helpers for the RedisBus specs: buses closed after each test, a probe connection of the test's
 * own (to look into Redis, or cut a node's connections), and waiting for a bus status.
 */
import { Redis } from 'ioredis';
import { filter, firstValueFrom, ReplaySubject, type Observable } from 'rxjs';
import { RedisBus, type RedisBusOptions } from '../../src/redis/index.js';
import type { BusStatus } from '../../src/transport/index.js';
import type { RedisServer } from '../support/redis-server.js';
import { track } from '../support/resources.js';
import { within } from '../support/sockets.js';

/** A bus on `redis`, stopped after the test. */
export function redisBus(redis: RedisServer, options: RedisBusOptions = {}): RedisBus {
  return track(new RedisBus({ url: redis.url, ...options }), (bus) => bus.stop());
}

/** A plain connection to `redis` for the test itself (not counted by any bus). */
export function probe(redis: RedisServer): Redis {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  // Its own reconnect attempts while the test restarts Redis are not the test's subject.
  connection.on('error', () => undefined);
  return track(connection, (c) => c.disconnect());
}

/** Calls per command name since the server started, from `INFO commandstats`. */
export async function commandStats(redis: RedisServer): Promise<Record<string, number>> {
  const info = await probe(redis).info('commandstats');
  const stats: Record<string, number> = {};
  for (const [, name = '', calls = '0'] of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) stats[name] = Number(calls);
  return stats;
}

/** Cuts every connection of one node (they are named `<prefix>:<nodeId>:<role>`); returns how many. */
export async function killConnectionsOf(redis: RedisServer, nodeId: string, prefix = 'nexus'): Promise<number> {
  const connection = probe(redis);
  const list = String(await connection.client('LIST'));
  const ids = [...list.matchAll(/^id=(\d+) .*? name=(\S*)/gm)].filter(([, , name]) => name?.startsWith(`${prefix}:${nodeId}:`)).map(([, id]) => id ?? '');
  for (const id of ids) await connection.client('KILL', 'ID', id);
  return ids.length;
}

/** Every status a bus reports from now on, replayed. */
export function recordStatus(bus: { readonly status$: Observable<BusStatus> }): ReplaySubject<BusStatus> {
  const seen = new ReplaySubject<BusStatus>();
  track(bus.status$.subscribe(seen), (subscription) => subscription.unsubscribe());
  return seen;
}

/** The first recorded status of `kind`. */
export function statusOf<K extends BusStatus['kind']>(seen: Observable<BusStatus>, kind: K, ms = 10_000): Promise<Extract<BusStatus, { kind: K }>> {
  return firstValueFrom(
    seen.pipe(
      filter((status): status is Extract<BusStatus, { kind: K }> => status.kind === kind),
      within(`status ${kind}`, ms),
    ),
  );
}
