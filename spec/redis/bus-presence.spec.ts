/**
 * RedisBus presence and log: a node killed with SIGKILL vanishes with its clients once its lease
 * runs out (no ghosts anywhere in Redis), and `readSince` answers from the stream or says it cannot.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';
import { startClient, startServer, within } from '../support/sockets.js';
import { probe, recordStatus, redisBus, statusOf } from './bus-support.js';

afterEach(closeAll);

/** A node in a child process; killed with SIGKILL after the test if still alive. */
async function childNode(redis: RedisServer, nodeId: string, leaseMs: number): Promise<{ url: string; kill: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./fixtures/bus-node.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, nodeId, String(leaseMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  track(child, () => kill());
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child node did not start: ${stderr}`)), 15_000);
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { event?: string; url?: string };
      if (message.event === 'ready' && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
  });
  return { url, kill };
}

describe('RedisBus presence', () => {
  it('forgets a node killed with SIGKILL, and its clients, once its lease runs out', async () => {
    const redis = await RedisServer.start();
    const leaseMs = 500;
    const a = await startServer({ cluster: redisBus(redis, { nodeId: 'a', leaseMs }) });
    const child = await childNode(redis, 'doomed', leaseMs);
    await startClient(a.url);
    await startClient(child.url, { reconnect: false });
    await startClient(child.url, { reconnect: false });
    await expect(a.server.waitForClients(3, 5000)).resolves.toBe(true);
    const held = await probe(redis).hgetall('nexus:clients');
    const childClients = Object.keys(held).filter((clientId) => held[clientId] === 'doomed');
    expect(childClients).toHaveLength(2);
    const cluster = a.server.clusterNode;
    if (!cluster) throw new Error('a server with a cluster is a node of it');

    await child.kill();

    // Within leaseMs + one renew interval; the deadline here is only there to end a failing test.
    expect(await firstValueFrom(a.server.clientCount$.pipe(filter((count) => count === 1), within('the count to drop', 5000)))).toBe(1);
    expect(await firstValueFrom(cluster.nodes$)).toEqual([{ nodeId: 'a', clients: 1 }]);
    const bus = redisBus(redis, { leaseMs });
    await bus.start();
    for (const clientId of childClients) expect(await bus.presence.locate(clientId)).toBeUndefined();
    // No ghosts: nothing of the dead node is left in Redis.
    const connection = probe(redis);
    expect(Object.values(await connection.hgetall('nexus:clients'))).toEqual(['a']);
    expect(await connection.exists('nexus:node:doomed:clients')).toBe(0);
    expect(await connection.zscore('nexus:nodes', 'doomed')).toBeNull();
  });

  it('locates a client on a live node, and counts a node that joined after the others', async () => {
    const redis = await RedisServer.start();
    const a = await startServer({ cluster: redisBus(redis, { nodeId: 'a' }) });
    await startClient(a.url);
    await expect(a.server.waitForClients(1, 5000)).resolves.toBe(true);
    const late = redisBus(redis, { nodeId: 'late' });
    await late.start();
    expect(await firstValueFrom(late.presence.count$)).toBe(1);
    const [client] = a.server.getClients();
    expect(await late.presence.locate(client?.id ?? '')).toBe('a');
    late.presence.join('virtual-1');
    late.presence.join('virtual-2');
    late.presence.leave('virtual-1');
    expect(await firstValueFrom(a.server.clientCount$.pipe(filter((count) => count === 2), within('the late node’s client')))).toBe(2);
    expect(await a.server.clusterNode?.sendToNode('late', 'test:ping', 'hi')).toBe(true);
  });
});

describe('RedisBus readSince', () => {
  it('reads what was published after a position, this node’s own included', async () => {
    const redis = await RedisServer.start();
    const a = redisBus(redis, { nodeId: 'a' });
    const b = redisBus(redis, { nodeId: 'b' });
    await a.start();
    await b.start();
    const heard = firstValueFrom(b.inbound$);
    await a.publish('t', 'one');
    const first = await heard;
    await a.publish('t', 'two');
    await b.publish('t', 'three');
    const since = await b.readSince(first.position ?? '');
    expect(since?.map(({ from, data }) => [from, data])).toEqual([
      ['a', 'two'],
      ['b', 'three'],
    ]);
  });

  it('says it cannot (undefined) once the stream was trimmed past the position, or Redis lost its data', async () => {
    const redis = await RedisServer.start();
    const a = redisBus(redis, { nodeId: 'a', streamMaxLen: 10 });
    await a.start();
    const firstHeard = redisBus(redis, { nodeId: 'b' });
    await firstHeard.start();
    const heard = firstValueFrom(firstHeard.inbound$);
    await a.publish('t', '0');
    const position = (await heard).position ?? '';
    for (let n = 1; n <= 500; n += 1) await a.publish('t', String(n));
    expect(await probe(redis).xlen('nexus:bus')).toBeLessThan(500);
    expect(await a.readSince(position)).toBeUndefined();

    const recent = await a.readSince(firstHeard.lastPosition ?? '');
    expect(recent).toBeDefined();
    const status = recordStatus(a);
    await redis.restart();
    expect(await statusOf(status, 'resubscribed')).toMatchObject({ missed: true });
    expect(await a.readSince(firstHeard.lastPosition ?? '')).toBeUndefined();
  });
});
