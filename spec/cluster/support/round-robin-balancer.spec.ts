/** The test balancer: connections take turns across backends, skip one that refuses, and can be cut. */
import { afterEach, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import { startClient, startServer, unusedPort } from '../../support/sockets.js';
import { RoundRobinBalancer } from './round-robin-balancer.js';

afterEach(closeAll);

it('spreads connections over the backends in turn, skips a dead one, and drops everything on demand', async () => {
  const a = await startServer({ resume: false, messageHandler: () => ({ from: 'a' }) });
  const b = await startServer({ resume: false, messageHandler: () => ({ from: 'b' }) });
  const dead = await unusedPort();
  const balancer = await RoundRobinBalancer.start([a.server.address?.port ?? 0, dead, b.server.address?.port ?? 0]);
  const answers: unknown[] = [];
  for (let i = 0; i < 4; i += 1) {
    const client = await startClient(balancer.url(), { reconnect: false });
    await client.sendMessage({ type: 'who' });
    answers.push((await client.receiveMessage(5000))['from']);
  }
  expect(answers).toEqual(['a', 'b', 'a', 'b']);
  expect(a.server.getConnectedClients() + b.server.getConnectedClients()).toBe(4);
  balancer.dropAll();
  await expect.poll(() => a.server.getConnectedClients() + b.server.getConnectedClients(), { timeout: 5000 }).toBe(0);
});
