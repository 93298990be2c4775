/**
 * Headless Chromium for the dashboard specs and the screenshot script: Debian's chromium driven by
 * playwright-core (no browser download). `CHROMIUM` overrides the path.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the browser is: Debian's package, unless `CHROMIUM` says otherwise. */
export const CHROMIUM_PATH = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** Launches headless Chromium; close it when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

/** Opens `url` in a new page of the given size; the page's console errors are collected in `errors`. */
export async function openPage(browser: Browser, url: string, size = { width: 1360, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}
