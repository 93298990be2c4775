import { Redis } from 'ioredis';

/**
 * Counts the commands a Redis server executed, from `INFO commandstats` (every client together):
 * the same yardstick for every peer, whatever its Redis layer counts itself. The `INFO` calls this
 * makes are left out.
 */
export class RedisCommandCounter {
  private constructor(private readonly redis: Redis) {}

  static async connect(url: string): Promise<RedisCommandCounter> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return new RedisCommandCounter(redis);
  }

  /** Commands executed so far, all but INFO. */
  async total(): Promise<number> {
    return sum(await this.byCommand());
  }

  /** Commands executed so far by name (lower case), all but INFO. */
  async byCommand(): Promise<Record<string, number>> {
    return parseCommandStats(await this.redis.info('commandstats'));
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/** `calls=` of each `cmdstat_*` line of `INFO commandstats`, except `cmdstat_info`. */
export function parseCommandStats(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match?.[1] !== undefined && match[1] !== 'info') calls[match[1]] = Number(match[2]);
  }
  return calls;
}

/** What ran between two `byCommand()` snapshots, per `per` (a broadcast, a send), largest first; zeros left out. */
export function commandsBetween(before: Record<string, number>, after: Record<string, number>, per: number): Record<string, number> {
  const entries = Object.entries(after)
    .map(([name, calls]) => [name, (calls - (before[name] ?? 0)) / per] as const)
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries.map(([name, calls]) => [name, Math.round(calls * 1000) / 1000]));
}

function sum(calls: Record<string, number>): number {
  return Object.values(calls).reduce((total, count) => total + count, 0);
}
