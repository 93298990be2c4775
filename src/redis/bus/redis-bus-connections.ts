import type { Redis } from 'ioredis';
import type { ConnectionRole } from './redis-bus-options.js';

/** The bus's three connections: a blocking `XREAD` or a subscription would hold up anything else. */
export interface BusConnections {
  /** Publishes, sends, scripts. */
  readonly command: Redis;
  /** The blocking `XREAD` loop. */
  readonly reader: Redis;
  /** The subscription to this node's channel and to presence changes. */
  readonly subscriber: Redis;
}

export interface ConnectionEvents {
  /** A connection dropped (the last error it reported, if any). */
  readonly closed: (error: Error | undefined) => void;
  /** A connection is ready again (ioredis reconnects by itself). */
  readonly ready: () => void;
}

/** Opens the three connections and resolves once all are ready; closes them all if one fails. */
export async function openConnections(open: (role: ConnectionRole) => Redis, events: ConnectionEvents): Promise<BusConnections> {
  const connections: BusConnections = { command: open('command'), reader: open('reader'), subscriber: open('subscriber') };
  const all = Object.values(connections) as Redis[];
  for (const redis of all) watch(redis, events);
  try {
    await Promise.all(all.map(whenReady));
  } catch (error) {
    closeConnections(connections);
    throw error;
  }
  return connections;
}

/** Closes at once, without waiting for Redis: a frozen Redis must not hold up a stop. */
export function closeConnections(connections: BusConnections): void {
  for (const redis of Object.values(connections) as Redis[]) redis.disconnect(false);
}

/** Whether all three are ready to take commands. */
export function allReady(connections: BusConnections): boolean {
  return (Object.values(connections) as Redis[]).every((redis) => redis.status === 'ready');
}

function watch(redis: Redis, events: ConnectionEvents): void {
  let lastError: Error | undefined;
  // ioredis reports every failed reconnect here; without a listener it would log them itself.
  redis.on('error', (error: Error) => (lastError = error));
  redis.on('close', () => events.closed(lastError));
  redis.on('ready', () => {
    lastError = undefined;
    events.ready();
  });
}

/** Connects a connection made with `lazyConnect`, or waits for one already connecting. */
async function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    await redis.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const ready = (): void => {
      redis.off('end', ended);
      resolve();
    };
    const ended = (): void => {
      redis.off('ready', ready);
      reject(new Error('The Redis connection ended before it was ready'));
    };
    redis.once('ready', ready);
    redis.once('end', ended);
  });
}
