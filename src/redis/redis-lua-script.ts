import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Counts the commands sent to Redis: a diagnostic (the bus reports "Redis commands per broadcast"). */
export class CommandCounter {
  count = 0;
}

/**
 * A Lua script run by its SHA (`EVALSHA`), sent whole (`EVAL`) only when Redis does not know it yet —
 * after a restart its script cache is empty. One command in the usual case.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, counter: CommandCounter, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    counter.count += 1;
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      counter.count += 1;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Redis's own clock in ms, inside a script: every node's leases are judged by one clock. */
export const LUA_NOW = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** The epoch, set when missing (first start, or Redis lost its data): `ensure_epoch(key, candidate)`. */
export const LUA_ENSURE_EPOCH = `
local function ensure_epoch(key, candidate)
  local epoch = redis.call('GET', key)
  if not epoch then
    redis.call('SET', key, candidate)
    epoch = candidate
  end
  return epoch
end
`;
