/**
 * `nexus-mcp/redis`: what joins server processes on Redis. Needs the optional peer dependency
 * `ioredis`.
 */
export { RedisBus } from './redis-bus.js';
export type { RedisBusOptions, NeededRedisOptions } from './redis-bus-options.js';
