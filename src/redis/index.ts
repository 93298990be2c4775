/**
 * `nexus-mcp/redis`: what joins server processes on Redis. Needs the optional peer dependency
 * `ioredis`.
 */
export { RedisBus } from './redis-bus.js';
export type { RedisBusOptions, NeededRedisOptions } from './redis-bus-options.js';
export { redisSessions, type RedisSessions, type RedisSessionsOptions } from './redis-sessions.js';
export { RedisSessionDirectory, redisSessionKeys, type RedisSessionKeys } from './redis-session-directory.js';
export { RedisReplayStore } from './redis-replay-store.js';
