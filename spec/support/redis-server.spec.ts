/** The test Redis itself: it starts on a port of its own, restarts empty, and freezes on pause. */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { closeAll, track } from './resources.js';
import { RedisServer } from './redis-server.js';

afterEach(closeAll);

it('starts on its own port, restarts empty, and answers nothing while paused', async () => {
  const server = await RedisServer.start();
  expect(server.port).not.toBe(6379);
  const client = track(new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 }), (c) => c.quit().catch(() => c.disconnect()));
  // Refused while the server restarts: expected here, and ioredis would print it as unhandled.
  client.on('error', () => undefined);
  await client.set('k', 'v');
  expect(await client.get('k')).toBe('v');
  await server.restart();
  await expect.poll(async () => client.get('k').catch(() => 'unreachable'), { timeout: 5000 }).toBe(null);
  server.pause();
  const late = client.ping();
  let answered = false;
  void late.then(() => (answered = true), () => (answered = true));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(answered).toBe(false);
  server.resume();
  await expect(late).resolves.toBe('PONG');
});
