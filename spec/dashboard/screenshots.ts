/**
 * `npm run docs:screenshots`: starts the demo server, keeps its clients busy, lets one leave, and
 * writes what headless Chromium shows of the dashboard to docs/dashboard.png; then a demo node of a
 * three-node LocalCluster, whose cluster panel goes to docs/dashboard-cluster.png.
 */
import { fileURLToPath } from 'node:url';
import { LocalCluster, WebSocketServerTransport, WebSocketClientTransport } from '../../src/transport/index.js';
import { launchChromium, openPage } from './browser.js';
import { startDemo } from './demo-server.js';

const docs = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function wholePage(): Promise<void> {
  const demo = await startDemo(4);
  const browser = await launchChromium();
  let working = true;
  // Steady work until the picture is taken, so the charts and rates show traffic.
  const busy = (async () => {
    for (let round = 0; working; round++) {
      await demo.work(round);
      if (round === 20) await demo.clients.pop()?.disconnect();
      await sleep(120);
    }
  })();
  try {
    const { page, errors } = await openPage(browser, demo.pageUrl, { width: 1360, height: 1000 });
    await sleep(8000);
    await page.waitForSelector('[data-testid="tool-call-row"]');
    await page.screenshot({ path: docs('dashboard.png'), fullPage: true });
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    console.log(`wrote ${docs('dashboard.png')}`);
  } finally {
    working = false;
    await busy;
    await browser.close();
    await demo.stop();
  }
}

/** The demo as node-a of three; node-b and node-c are plain transports with clients of their own. */
async function clusterPanel(): Promise<void> {
  const cluster = new LocalCluster();
  const demo = await startDemo(2, cluster.node('node-a'));
  const others = [new WebSocketServerTransport({ host: '127.0.0.1', port: 0, logger: false, cluster: cluster.node('node-b') }), new WebSocketServerTransport({ host: '127.0.0.1', port: 0, logger: false, cluster: cluster.node('node-c') })];
  const clients: WebSocketClientTransport[] = [];
  const browser = await launchChromium();
  try {
    for (const [index, server] of others.entries()) {
      await server.start();
      for (let i = 0; i < 3 + index * 2; i++) clients.push(new WebSocketClientTransport(server.url ?? ''));
    }
    for (const client of clients) await client.start();
    const { page, errors } = await openPage(browser, demo.pageUrl, { width: 1360, height: 1000 });
    await page.waitForSelector('#cluster:not([hidden])');
    await sleep(1500);
    await page.locator('#cluster').screenshot({ path: docs('dashboard-cluster.png') });
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    console.log(`wrote ${docs('dashboard-cluster.png')}`);
  } finally {
    await browser.close();
    for (const client of clients) await client.stop();
    for (const server of others) await server.stop();
    await demo.stop();
  }
}

await wholePage();
await clusterPanel();
