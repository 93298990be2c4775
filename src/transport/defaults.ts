import type { HeartbeatOptions } from './operators/heartbeat.js';

// Defaults the server and the client share, in a module of their own so that the client (which
// also runs in browsers) does not pull the server's options in to read them.

/** The largest message accepted by default, bytes (the seed's 10 MiB). */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
/** Ping every 30 s, give up on a peer that has not answered within 10 s. */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { interval: 30_000, timeout: 10_000 };
