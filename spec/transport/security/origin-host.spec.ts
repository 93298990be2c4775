import { afterEach, describe, expect, it } from 'vitest';
import { UpgradeRefusedError } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, startServer } from '../../support/sockets.js';
import { upgradeResponse } from './upgrade-response.js';

afterEach(closeAll);

describe('Origin check on the upgrade', () => {
  it('refuses a foreign Origin with 403 before any socket exists, and says why on errors$', async () => {
    const { server, url } = await startServer();
    const refused = nextValue(server.errors$, ({ error }) => error instanceof UpgradeRefusedError, 'the refusal');
    const response = await upgradeResponse(url, 'mcp', { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.body).toBe('Forbidden');
    const { error } = await refused;
    expect(error).toMatchObject({ code: 'upgrade_refused', status: 403 });
    expect(error.message).toContain('"https://evil.example" is not allowed');
    expect(server.getConnectedClients()).toBe(0);
  });

  it('by default lets through a request without Origin, a same-host Origin and a local Origin', async () => {
    const { server, url } = await startServer();
    const port = server.address?.port ?? 0;
    expect((await upgradeResponse(url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { origin: 'http://localhost:5173' })).status).toBe(101);
    expect(server.getConnectedClients()).toBe(3);
  });

  it('with an allow-list, admits exact and wildcard matches only (local origins no longer pass by default)', async () => {
    const { url } = await startServer({ allowedOrigins: ['https://*.example.com', 'https://example.com'] });
    expect((await upgradeResponse(url, 'mcp', { origin: 'https://app.example.com' })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { origin: 'https://example.com' })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { origin: 'https://example.com.evil.net' })).status).toBe(403);
    expect((await upgradeResponse(url, 'mcp', { origin: 'http://app.example.com' })).status).toBe(403);
    expect((await upgradeResponse(url, 'mcp', { origin: 'http://localhost:5173' })).status).toBe(403);
    expect((await upgradeResponse(url, 'mcp')).status).toBe(101);
  });

  it("allowedOrigins: ['*'] switches the check off", async () => {
    const { url } = await startServer({ allowedOrigins: ['*'] });
    expect((await upgradeResponse(url, 'mcp', { origin: 'https://evil.example' })).status).toBe(101);
  });
});

describe('Host check on the upgrade', () => {
  it('on a loopback bind, refuses a Host that is not a local name (DNS rebinding) with 403', async () => {
    const { server, url } = await startServer();
    const port = server.address?.port ?? 0;
    const rebound = await upgradeResponse(url, 'mcp', { headers: { Host: `rebind.evil.example:${port}` }, origin: `http://rebind.evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect((await upgradeResponse(url, 'mcp', { headers: { Host: `localhost:${port}` } })).status).toBe(101);
  });

  it('with allowedHosts, admits only the listed names', async () => {
    const { url } = await startServer({ allowedHosts: ['mcp.example.com', '*.mcp.example.com'] });
    expect((await upgradeResponse(url, 'mcp', { headers: { Host: 'mcp.example.com' } })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { headers: { Host: 'eu.mcp.example.com:443' } })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { headers: { Host: 'other.example.com' } })).status).toBe(403);
    // The listed names replace the loopback default.
    expect((await upgradeResponse(url, 'mcp')).status).toBe(403);
  });
});
