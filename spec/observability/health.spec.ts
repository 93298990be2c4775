/**
 * `/healthz` and `/readyz` over real sockets: alive while serving; ready once started, 503 while
 * `stop({ drainMs })` drains (a load balancer stops sending new clients) and while the cluster bus
 * is disconnected; upgrades during the drain get 503; off by default.
 */
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { firstValueFrom, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { collectMetrics } from '../../src/metrics/index.js';
import { RedisBus } from '../../src/redis/index.js';
import { RedisServer } from '../support/redis-server.js';
import { closeAll, track } from '../support/resources.js';
import { createClient, portOf, startServer } from '../support/sockets.js';
import { scrapeUntil } from './scrape.js';

afterEach(closeAll);

async function statusOf(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

/** GET with a Host header of our choosing (fetch does not let one set it). */
function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status of a WebSocket upgrade attempt: 101 when accepted, the HTTP status when refused. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'mcp');
    socket.on('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => resolve(-1));
  });
}

describe('health endpoints', () => {
  it('are off by default: /healthz gets 426 like any plain request', async () => {
    const { server } = await startServer();
    expect(await statusOf(`http://127.0.0.1:${portOf(server)}/healthz`)).toBe(426);
  });

  it('answer 200 on /healthz and /readyz while serving, at the paths asked for', async () => {
    const { server } = await startServer({ health: { path: '/live', readyPath: '/ready' } });
    const base = `http://127.0.0.1:${portOf(server)}`;
    expect(await statusOf(`${base}/live`)).toBe(200);
    expect(await statusOf(`${base}/ready?probe=lb`)).toBe(200);
    expect(await statusOf(`${base}/healthz`)).toBe(426);
    expect(server.ready).toBe(true);
  });

  it('need no allowed Host: a load balancer probes by IP', async () => {
    const { server } = await startServer({ health: true, metrics: { registry: new Registry() } });
    const port = portOf(server);
    expect(await statusWithHost(port, '/healthz', 'lb.internal.example')).toBe(200);
    expect(await statusWithHost(port, '/readyz', '10.0.0.7:8080')).toBe(200);
    // Metrics name tools and counts: on a loopback listener, only local Host names (DNS rebinding).
    expect(await statusWithHost(port, '/metrics', 'evil.example')).toBe(403);
    expect(await statusWithHost(port, '/metrics', `localhost:${port}`)).toBe(200);
  });

  it('/readyz turns 503 while stop({ drainMs }) drains, /healthz stays 200, new upgrades get 503; then the port closes', async () => {
    const release = new Subject<void>();
    const started = new Subject<void>();
    const { server, url } = await startServer({
      health: true,
      messageHandler: async () => {
        started.next();
        await firstValueFrom(release);
        return { type: 'done' };
      },
    });
    const base = `http://127.0.0.1:${portOf(server)}`;
    const client = createClient(url);
    await client.start();
    const handling = firstValueFrom(started);
    await client.sendMessage({ type: 'work' });
    await handling;

    const stopped = server.stop({ drainMs: 10_000 });
    expect(server.ready).toBe(false);
    expect(await statusOf(`${base}/readyz`)).toBe(503);
    expect(await statusOf(`${base}/healthz`)).toBe(200);
    expect(await upgradeStatus(url)).toBe(503);
    // Still draining: the call in flight has not finished.
    expect(await statusOf(`${base}/readyz`)).toBe(503);

    release.next();
    await stopped;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('/readyz is 503 while the cluster bus is disconnected, 200 again once it is back', async () => {
    const redis = track(await RedisServer.start(), (r) => r.stop());
    const bus = new RedisBus({ url: redis.url });
    const registry = new Registry();
    const { server } = await startServer({ health: true, cluster: bus, metrics: { registry } });
    collectMetrics(server, { registry });
    const base = `http://127.0.0.1:${portOf(server)}`;
    expect(await statusOf(`${base}/readyz`)).toBe(200);

    await redis.kill();
    await waitForStatus(`${base}/readyz`, 503);
    expect(await statusOf(`${base}/healthz`)).toBe(200);
    await scrapeUntil(`${base}/metrics`, (text) => expect(text).toContain('nexus_mcp_ready 0'));

    await redis.restart();
    await waitForStatus(`${base}/readyz`, 200, 20_000);
  }, 40_000);
});

async function waitForStatus(url: string, status: number, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await statusOf(url);
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} answered ${last}, not ${status}, within ${withinMs} ms`);
}
