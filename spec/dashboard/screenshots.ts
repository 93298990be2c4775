/**
 * `npm run docs:screenshots`: starts the demo server, keeps its clients busy, lets one leave, and
 * writes what headless Chromium shows of the dashboard to docs/dashboard.png.
 */
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage } from './browser.js';
import { startDemo } from './demo-server.js';

const output = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
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
    await page.screenshot({ path: output, fullPage: true });
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    console.log(`wrote ${output}`);
  } finally {
    working = false;
    await busy;
    await browser.close();
    await demo.stop();
  }
}

await main();
