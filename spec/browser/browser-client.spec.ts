/**
 * The browser build in a real browser: headless Chromium (playwright-core) loads pages bundled from
 * spec/browser/pages with esbuild, served from 127.0.0.1, and talks to real servers over real
 * sockets. The token travels as a subprotocol entry (browsers cannot set headers), the Origin is
 * the page's, and the MCP server of the second test is a process the test kills (SIGKILL) and
 * starts again on the same port, with its sessions in a redis-server of the test's own.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerAuth, type ClientConnection } from '../../src/transport/index.js';
import { closeAll } from '../support/resources.js';
import { RedisServer } from '../support/redis-server.js';
import { nextValue, startServer } from '../support/sockets.js';
import { launchChromium } from '../support/chromium.js';
import { McpNodeProcess } from './support/mcp-node-process.js';
import { PageServer } from './support/page-server.js';

afterEach(closeAll);

// The browser test is long by nature (a browser, a redis-server, two server processes); no timing is asserted.
const SLOW = 120_000;
// Base64url: a valid subprotocol token, as a browser demands.
const TOKEN = 'c2VjcmV0LXRva2VuLWZvci10aGUtcGFnZQ';

async function openPage(pages: PageServer, name: 'mcp-page' | 'transport-page'): Promise<Page> {
  const browser = await launchChromium();
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${pages.origin}/${name}.html`);
  const handle = name === 'mcp-page' ? 'mcpPage' : 'transportPage';
  await page.waitForFunction((key) => key in window, handle);
  expect(problems).toEqual([]);
  return page;
}

/** The texts of the `notifications/announcement`s the page has received, in order. */
async function announcements(page: Page): Promise<string[]> {
  const notifications = await page.evaluate(() => window.mcpPage.notifications());
  return notifications.filter((n) => n.method === 'notifications/announcement').map((n) => String((n.params as { text?: unknown } | undefined)?.text));
}

async function untilAnnounced(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => window.mcpPage.notifications().some((n) => n.method === 'notifications/announcement' && (n.params as { text?: unknown } | undefined)?.text === wanted),
    text,
    { timeout: 30_000 },
  );
}

/** A redis-server, the page server, a first MCP node and the MCP page connected to it with the token. */
async function connectedMcpPage() {
  const redis = await RedisServer.start();
  const pages = await PageServer.start(['mcp-page']);
  const serverOptions = { redisUrl: redis.url, origin: pages.origin, token: TOKEN };
  const first = await McpNodeProcess.start({ ...serverOptions, nodeId: 'first', port: 0 });
  const page = await openPage(pages, 'mcp-page');
  const serverName = await page.evaluate(([url, token]) => window.mcpPage.connect(url, token), [`ws://127.0.0.1:${first.port}`, TOKEN] as const);
  const [firstNode, clientId] = (await page.evaluate(() => window.mcpPage.callTool('whoami', {}))).split(' ');
  return { serverOptions, first, page, serverName, firstNode, clientId };
}

describe('the browser build in Chromium', () => {
  it(
    'WebSocketClientTransport: token as a subprotocol entry, Origin allowed, messages both ways and a broadcast',
    async () => {
      const pages = await PageServer.start(['transport-page']);
      const { server, url } = await startServer({
        allowedOrigins: [pages.origin],
        authenticate: bearerAuth((token) => (token === TOKEN ? { clientId: 'page-user', scopes: [] } : undefined)),
        messageHandler: (message) => ({ type: 'echo', original: message }),
      });
      const page = await openPage(pages, 'transport-page');

      const connected = nextValue<ClientConnection>(server.connections$);
      await page.evaluate(([target, token]) => window.transportPage.start(target, token), [url, TOKEN] as const);
      const client = await connected;
      expect(client.authInfo?.clientId).toBe('page-user');
      // Only `mcp` is echoed, never the token entry.
      expect(client.protocol).toBe('mcp');
      expect(client.request.headers['origin']).toBe(pages.origin);

      await page.evaluate(() => window.transportPage.send({ type: 'hello', n: 1 }));
      expect(await page.evaluate(() => window.transportPage.receive())).toEqual({ type: 'echo', original: { type: 'hello', n: 1 } });
      expect(await server.broadcastNotification({ event: 'server_update' })).toBe(1);
      expect(await page.evaluate(() => window.transportPage.receive())).toEqual({ event: 'server_update', type: 'notification' });
      await page.evaluate(() => window.transportPage.stop());
    },
    SLOW,
  );

  it(
    'SimpleMCPClient: connects with a token, lists and calls tools, hears a broadcast, and resumes its session on a restarted server',
    async () => {
      const { serverOptions, first, page, serverName, firstNode, clientId } = await connectedMcpPage();
      expect(serverName).toBe('browser-test');
      expect(firstNode).toBe('first');
      expect(await page.evaluate(() => window.mcpPage.listTools())).toEqual(['add', 'whoami']);
      expect(await page.evaluate(() => window.mcpPage.callTool('add', { a: 2, b: 3 }))).toBe('5');
      expect(await first.broadcast('before the restart')).toBe(1);
      await untilAnnounced(page, 'before the restart');

      // The server crashes. The page notices and keeps trying; a call made meanwhile waits for the session.
      const statesBefore = (await page.evaluate(() => window.mcpPage.states())).length;
      await first.kill();
      await page.waitForFunction(() => window.mcpPage.state() === 'reconnecting', undefined, { timeout: 30_000 });
      const call = await page.evaluate(() => window.mcpPage.startCall('add', { a: 20, b: 22 }));

      // Its successor, on the same port, broadcasts before it lets anyone in: nobody holds the page's session then.
      const second = await McpNodeProcess.start({ ...serverOptions, nodeId: 'second', port: first.port, hold: true });
      expect(second.port).toBe(first.port);
      expect(await second.broadcast('during the gap')).toBe(0);
      await second.open();

      expect(await page.evaluate((key) => window.mcpPage.settled(key), call)).toBe('42');
      await untilAnnounced(page, 'during the gap');
      // Resumed, not started afresh: the same client id on the new server, and no second handshake.
      expect(await page.evaluate(() => window.mcpPage.callTool('whoami', {}))).toBe(`second ${clientId ?? ''}`);
      expect((await page.evaluate(() => window.mcpPage.states())).slice(statesBefore)).toEqual(['reconnecting', 'ready']);
      // The resumed page is one of the new server's clients: its broadcast counts it.
      expect(await second.broadcast('after the restart')).toBe(1);
      await untilAnnounced(page, 'after the restart');
      expect(await announcements(page)).toEqual(['before the restart', 'during the gap', 'after the restart']);
      expect(await page.evaluate(() => window.mcpPage.errors())).toEqual([]);
      await page.evaluate(() => window.mcpPage.disconnect());
    },
    SLOW,
  );

  it(
    'SimpleMCPClient: after a graceful stop and a new server on the same port, reconnects with a fresh session and initializes again',
    async () => {
      const { serverOptions, first, page, clientId } = await connectedMcpPage();
      const statesBefore = (await page.evaluate(() => window.mcpPage.states())).length;

      // stop(): every client closed with 1001, its session ended on purpose.
      await first.close();
      await page.waitForFunction(() => window.mcpPage.state() === 'reconnecting', undefined, { timeout: 30_000 });
      const second = await McpNodeProcess.start({ ...serverOptions, nodeId: 'second', port: first.port });

      await page.waitForFunction(() => window.mcpPage.state() === 'ready', undefined, { timeout: 30_000 });
      const [node, newId] = (await page.evaluate(() => window.mcpPage.callTool('whoami', {}))).split(' ');
      expect(node).toBe('second');
      expect(newId).not.toBe(clientId);
      expect((await page.evaluate(() => window.mcpPage.states())).slice(statesBefore)).toEqual(['reconnecting', 'initializing', 'ready']);
      expect(await page.evaluate(() => window.mcpPage.callTool('add', { a: 1, b: 1 }))).toBe('2');
      expect(await second.broadcast('after the restart')).toBe(1);
      await untilAnnounced(page, 'after the restart');
      await page.evaluate(() => window.mcpPage.disconnect());
    },
    SLOW,
  );
});
