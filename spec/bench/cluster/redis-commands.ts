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
    return parseCommandStats(await this.redis.info('commandstats'));
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/** Sums `calls=` over the `cmdstat_*` lines of `INFO commandstats`, except `cmdstat_info`. */
export function parseCommandStats(info: string): number {
  let calls = 0;
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match && match[1] !== 'info') calls += Number(match[2]);
  }
  return calls;
}
