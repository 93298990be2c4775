/**
 * What a shared session store costs a Streamable HTTP request: sequential `tools/list` POSTs on one
 * session, against a server keeping sessions in memory and one keeping them in Redis
 * (RedisMcpSessionStore, on a redis-server of its own), with the Redis commands each request made.
 * Run: npx tsx spec/bench/mcp/shared-sessions-cost.ts [requests]
 */
import { Redis } from 'ioredis';
import { MCPServer } from '../../../src/mcp/index.js';
import { RedisMcpSessionStore } from '../../../src/redis/index.js';
import { RedisServer } from '../../support/redis-server.js';

const requests = Number(process.argv[2] ?? 2000);
const headers = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

async function measure(server: MCPServer): Promise<number> {
  await server.start();
  const url = server.httpUrl ?? '';
  const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
  const opened = await fetch(url, { method: 'POST', headers, body: JSON.stringify(init) });
  await opened.text();
  const session = { ...headers, 'mcp-session-id': opened.headers.get('mcp-session-id') ?? '' };
  const call = async (id: number): Promise<void> => {
    const response = await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' }) });
    if (response.status !== 200) throw new Error(`tools/list answered ${response.status}`);
    await response.text();
  };
  for (let id = 1; id <= 200; id += 1) await call(id); // warm-up
  const started = process.hrtime.bigint();
  for (let id = 1; id <= requests; id += 1) await call(1000 + id);
  const micros = Number(process.hrtime.bigint() - started) / 1000 / requests;
  await server.stop();
  return micros;
}

async function commands(redis: RedisServer): Promise<number> {
  const probe = new Redis(redis.url);
  const info = await probe.info('commandstats');
  probe.disconnect();
  return [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter(([, name]) => name !== 'info').reduce((sum, [, , calls]) => sum + Number(calls), 0);
}

const redis = await RedisServer.start();
try {
  const store = new RedisMcpSessionStore({ url: redis.url });
  const quiet = { host: '127.0.0.1', port: 0, heartbeat: false, logger: false } as const;
  const inMemory = await measure(new MCPServer(quiet));
  const before = await commands(redis);
  const inRedis = await measure(new MCPServer({ ...quiet, sessions: { store } }));
  const perRequest = ((await commands(redis)) - before) / (requests + 201);
  await store.close();
  console.log(`${requests} sequential tools/list on one session: in memory ${inMemory.toFixed(0)} µs/request, RedisMcpSessionStore ${inRedis.toFixed(0)} µs/request (+${(inRedis - inMemory).toFixed(0)} µs), ${perRequest.toFixed(2)} Redis commands/request`);
} finally {
  await redis.stop();
}
