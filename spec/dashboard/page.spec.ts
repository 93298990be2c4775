/**
 * The dashboard page in headless Chromium against a real MCPServer: it renders, and its numbers
 * follow real clients (our WebSocketClientTransport and SimpleMCPClient) as they connect, send, call
 * tools and leave. Assertions read DOM text by `data-testid`, never pixels. The page's CSP forbids
 * eval, so what runs in the page is passed as functions (CDP calls them without eval); they declare
 * no named functions, so no bundler helper (`__name`) leaks into the browser.
 */
import * as t from 'io-ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimpleMCPClient, ToolError } from '../../src/mcp/index.js';
import { LocalCluster, type ClientConnection } from '../../src/transport/index.js';
import { startMcpServer } from '../mcp/support/mcp-fixtures.js';
import { closeAll, track } from '../support/resources.js';
import { startClient, startServer } from '../support/sockets.js';
import { closeAll as closeMcp } from '../mcp/support/mcp-fixtures.js';
import { launchChromium, openPage } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser.close());
afterEach(closeAll);
afterEach(closeMcp);

const WAIT = { timeout: 10_000 };

/** How `untilText` compares: equal, starts with, or contains. */
type Match = { readonly is: string } | { readonly startsWith: string } | { readonly includes: string };

/** Waits until the text of the element with this test id matches. */
async function untilText(page: Page, testId: string, match: Match): Promise<void> {
  await page.waitForFunction(
    ([id, m]) => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
      if (text === null) return false;
      if ('is' in m) return text === m.is;
      if ('startsWith' in m) return text.startsWith(m.startsWith);
      return text.includes(m.includes);
    },
    [testId, match] as const,
    WAIT,
  );
}

/** Texts of the cells of every row with this test id. */
function rows(page: Page, testId: string): Promise<string[][]> {
  return page.evaluate(
    (id) => Array.from(document.querySelectorAll(`[data-testid="${id}"]`), (row) => Array.from(row.children, (cell) => cell.textContent)),
    testId,
  );
}

async function startDashboard(): Promise<{ url: string; pageUrl: string; connections: ClientConnection[] }> {
  const { server, url, port } = await startMcpServer({ dashboard: { sampleMs: 100 } }, (mcp) => {
    mcp.registerTool('add', { description: 'Adds', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
    mcp.registerTool('explode', { description: 'Fails', input: t.type({}) }, () => {
      throw new ToolError('it exploded');
    });
  });
  const connections: ClientConnection[] = [];
  server.transport.connections$.subscribe((client) => connections.push(client));
  return { url, pageUrl: `http://127.0.0.1:${port}/dashboard`, connections };
}

describe('the dashboard page in Chromium', () => {
  it('renders, goes live, and counts clients up as they connect, their messages as they send, and down as they leave', async () => {
    const { url, pageUrl, connections } = await startDashboard();
    const { page, errors } = await openPage(browser, pageUrl);
    track(page, (p) => p.close());
    expect(await page.title()).toBe('nexus-mcp dashboard');
    await untilText(page, 'feed-status', { is: 'live' });
    await untilText(page, 'client-count', { is: '0' });

    const first = await startClient(url, { protocols: ['mcp'] });
    const second = await startClient(url, { protocols: ['mcp'] });
    await untilText(page, 'client-count', { is: '2' });
    expect(await rows(page, 'client-row')).toHaveLength(2);

    for (let id = 1; id <= 3; id++) await first.sendMessage({ jsonrpc: '2.0', id, method: 'ping' });
    const firstId = connections[0]?.id ?? '';
    await page.waitForFunction(
      (id) => {
        const cells = document.querySelector(`[data-client-id="${id}"]`)?.children;
        return cells?.[4]?.textContent === '3' && cells[5]?.textContent === '3';
      },
      firstId,
      WAIT,
    );
    await untilText(page, 'messages-in-total', { startsWith: '3 ' });

    await second.stop();
    await untilText(page, 'client-count', { is: '1' });
    await untilText(page, 'close-codes', { includes: '1000' });
    await first.stop();
    await untilText(page, 'client-count', { is: '0' });
    expect(await rows(page, 'client-row')).toHaveLength(0);
    const events = await page.locator('[data-testid="events"] li').allTextContents();
    expect(events.some((line) => line.includes('left with 1000'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows MCP sessions and every tool call with its outcome and duration', async () => {
    const { url, pageUrl } = await startDashboard();
    const { page, errors } = await openPage(browser, pageUrl);
    track(page, (p) => p.close());
    await untilText(page, 'feed-status', { is: 'live' });
    const client = track(new SimpleMCPClient({ url, clientInfo: { name: 'page-spec', version: '9.9.9' } }), (c) => c.disconnect());
    await client.connect();
    await untilText(page, 'session-count', { is: '1 open' });
    await untilText(page, 'sessions', { includes: 'page-spec 9.9.9' });

    await client.callTool('add', { a: 2, b: 3 });
    await client.callTool('explode', {});
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tool-call-row"]').length === 2, undefined, WAIT);
    const calls = await rows(page, 'tool-call-row');
    // Newest first: time, tool, outcome, duration, session.
    expect(calls.map((cells) => [cells[1], cells[2]])).toEqual([
      ['explode', 'tool_error'],
      ['add', 'ok'],
    ]);
    for (const cells of calls) expect(cells[3]).toMatch(/^(< 1 ms|\d+(\.\d)? ms|\d+\.\d\d s)$/);
    await untilText(page, 'tool-summary', { includes: 'explode' });

    await client.disconnect();
    await untilText(page, 'session-count', { is: '0 open' });
    await untilText(page, 'client-count', { is: '0' });
    expect(errors).toEqual([]);
  });

  it('writes client-supplied text as text: a tool name full of markup stays inert', async () => {
    const { url, pageUrl } = await startDashboard();
    const { page, errors } = await openPage(browser, pageUrl);
    track(page, (p) => p.close());
    await untilText(page, 'feed-status', { is: 'live' });
    const client = track(new SimpleMCPClient({ url, clientInfo: { name: '<img src=x onerror="window.pwned=1">', version: '1' } }), (c) => c.disconnect());
    await client.connect();
    await client.callTool('<b id="injected">bold</b>', {}).catch(() => undefined);
    await untilText(page, 'sessions', { includes: '<img src=x' });
    const injected = await page.evaluate(() => ({
      element: document.getElementById('injected') !== null,
      images: document.querySelectorAll('td img').length,
      ran: 'pwned' in window,
    }));
    expect(injected).toEqual({ element: false, images: 0, ran: false });
    expect(errors).toEqual([]);
  });

  it('with a cluster bus, lists each node and its clients', async () => {
    const cluster = new LocalCluster();
    const { server: a } = await startServer({ cluster: cluster.node('node-a'), dashboard: { sampleMs: 100 } });
    const { url: bUrl } = await startServer({ cluster: cluster.node('node-b') });
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${a.address?.port ?? 0}/dashboard`);
    track(page, (p) => p.close());
    await untilText(page, 'bus-status', { is: 'bus connected' });
    const onB = await startClient(bUrl);
    await untilText(page, 'nodes-table', { includes: 'node-b' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node-row"]').length === 2, undefined, WAIT);
    await untilText(page, 'clients-sub', { is: '1 in the cluster' });
    expect(await rows(page, 'node-row')).toEqual([
      ['node-a (this node)', '0'],
      ['node-b', '1'],
    ]);
    await onB.stop();
    await untilText(page, 'clients-sub', { is: '0 in the cluster' });
    expect(errors).toEqual([]);
  });
});
