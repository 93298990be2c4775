/**
 * Who may see the dashboard, over real sockets: off by default; on, only loopback peers naming a
 * local Host unless an `authorize` hook decides; the live socket also refuses a foreign Origin;
 * refusals are 403/404 with a body that says why.
 */
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../support/resources.js';
import { portOf, startServer } from '../support/sockets.js';
import { FeedClient, get, upgrade } from './feed-client.js';

afterEach(closeAll);

/** An address of this machine that is not loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4')?.address;

describe('the dashboard is off by default', () => {
  it('serves no page and takes no upgrade at /dashboard: the transport answers as it always did', async () => {
    const { server } = await startServer();
    const port = portOf(server);
    const page = await get(`http://127.0.0.1:${port}/dashboard`);
    expect(page.status).toBe(426);
    expect(page.body).not.toContain('<html');
    // The transport takes upgrades on any path: a socket there is an ordinary client, not a viewer.
    const feed = await FeedClient.open(`ws://127.0.0.1:${port}/dashboard/live`);
    expect(await server.waitForClients(1, 5000)).toBe(true);
    feed.socket.close();
  });

  it('with a transport path, an upgrade to /dashboard/live is refused', async () => {
    const { server } = await startServer({ path: '/ws' });
    expect((await upgrade(`ws://127.0.0.1:${portOf(server)}/dashboard/live`)).status).toBe(400);
  });
});

describe('without authorize: this machine only', () => {
  it('serves the page, its style and script to a loopback peer with a local Host, with a strict CSP', async () => {
    const { server } = await startServer({ dashboard: true });
    const base = `http://127.0.0.1:${portOf(server)}/dashboard`;
    const page = await get(base);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script src="/dashboard/app.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await get(`${base}/app.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(`${base}/style.css`)).status).toBe(200);
    expect((await get(`http://localhost:${portOf(server)}/dashboard/`)).status).toBe(200);
  });

  it('answers 404 under its path for what it does not serve, 426 for a plain GET of the feed, 405 for other methods', async () => {
    const { server } = await startServer({ dashboard: { path: '/admin/' } });
    const base = `http://127.0.0.1:${portOf(server)}/admin`;
    expect((await get(`${base}/nothing-here`)).status).toBe(404);
    expect((await get(`${base}/live`)).status).toBe(426);
    expect((await get(base, {}, 'POST')).status).toBe(405);
    expect((await upgrade(`ws://127.0.0.1:${portOf(server)}/admin/other`)).status).toBe(404);
    expect((await get(`http://127.0.0.1:${portOf(server)}/dashboard`)).status).toBe(426);
  });

  it('refuses a Host that is not a local name with 403 (DNS rebinding), page and live socket alike', async () => {
    const { server } = await startServer({ dashboard: true });
    const port = portOf(server);
    const page = await get(`http://127.0.0.1:${port}/dashboard`, { host: `evil.example:${port}` });
    expect(page.status).toBe(403);
    expect(page.body).toMatch(/only this machine.*authorize/);
    const live = await upgrade(`ws://127.0.0.1:${port}/dashboard/live`, { headers: { host: `evil.example:${port}` } });
    expect(live.status).toBe(403);
  });

  it.skipIf(outsideAddress === undefined)('refuses a peer that is not on loopback with 403, even naming localhost', async () => {
    const { server } = await startServer({ host: '0.0.0.0', dashboard: true });
    const port = portOf(server);
    const page = await get(`http://${outsideAddress}:${port}/dashboard`, { host: `localhost:${port}` });
    expect(page.status).toBe(403);
    const live = await upgrade(`ws://${outsideAddress}:${port}/dashboard/live`, { headers: { host: `localhost:${port}` } });
    expect(live.status).toBe(403);
    // The same request from loopback is served.
    expect((await get(`http://127.0.0.1:${port}/dashboard`, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a live socket from another origin with 403 (cross-site WebSocket hijacking); its own origin and no origin pass', async () => {
    const { server } = await startServer({ dashboard: true });
    const port = portOf(server);
    const url = `ws://127.0.0.1:${port}/dashboard/live`;
    const foreign = await upgrade(url, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain("own origin");
    // Another local port is another origin too.
    expect((await upgrade(url, { origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    expect((await upgrade(url, { origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await upgrade(url)).status).toBe(101);
  });
});

describe('with authorize: the hook decides', () => {
  const cookieHook = (request: IncomingMessage): Promise<boolean> => Promise.resolve(request.headers.cookie === 'admin=yes');

  it('serves whoever it accepts, whatever their Host, and refuses the rest with 403', async () => {
    const { server } = await startServer({ dashboard: { authorize: cookieHook } });
    const port = portOf(server);
    const url = `http://127.0.0.1:${port}/dashboard`;
    expect((await get(url, { host: `ops.example:${port}`, cookie: 'admin=yes' })).status).toBe(200);
    const refused = await get(url, { cookie: 'admin=no' });
    expect(refused.status).toBe(403);
    expect(refused.body).toBe('Forbidden: not authorized to see the dashboard');
    expect((await upgrade(`ws://127.0.0.1:${port}/dashboard/live`, { headers: { cookie: 'admin=yes' } })).status).toBe(101);
    expect((await upgrade(`ws://127.0.0.1:${port}/dashboard/live`, { headers: { cookie: 'admin=no' } })).status).toBe(403);
  });

  it('still refuses a foreign Origin on the live socket, even with the right cookie', async () => {
    const { server } = await startServer({ dashboard: { authorize: cookieHook } });
    const url = `ws://127.0.0.1:${portOf(server)}/dashboard/live`;
    expect((await upgrade(url, { origin: 'https://evil.example', headers: { cookie: 'admin=yes' } })).status).toBe(403);
  });

  it('counts a hook that throws as a refusal', async () => {
    const { server } = await startServer({
      dashboard: {
        authorize: () => {
          throw new Error('session store down');
        },
      },
    });
    const page = await get(`http://127.0.0.1:${portOf(server)}/dashboard`);
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('session store down');
  });
});

describe('the dashboard option', () => {
  it('rejects a path that names nothing and a sample period too short to be sane', async () => {
    await expect(startServer({ dashboard: { path: '/' } })).rejects.toThrow(/dashboard.path/);
    await expect(startServer({ dashboard: { sampleMs: 0 } })).rejects.toThrow(/dashboard.sampleMs/);
  });
});
