/**
 * `nexus-mcp/redis`: what joins server processes on Redis. Needs the optional peer dependency
 * `ioredis`.
 */
export { RedisBus } from './bus/redis-bus.js';
export type { RedisBusOptions, NeededRedisOptions } from './bus/redis-bus-options.js';
export { RedisMcpSessionStore } from './sessions/redis-mcp-session-store.js';
export type { RedisMcpSessionStoreOptions } from './sessions/redis-mcp-session-store.js';
export { RedisRateLimiter } from './redis-rate-limit.js';
export type { RedisRateLimiterOptions } from './redis-rate-limit.js';
export { redisSessions, type RedisSessions, type RedisSessionsOptions } from './sessions/redis-sessions.js';
export { RedisSessionDirectory, redisSessionKeys, type RedisSessionKeys } from './sessions/redis-session-directory.js';
export { RedisReplayStore } from './sessions/redis-replay-store.js';
