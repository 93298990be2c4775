/**
 * Headless Chromium for the dashboard specs and the screenshot script (see spec/support/chromium.ts
 * for where the browser is found).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../support/chromium.js';

/** Launches headless Chromium; close it when done (the screenshot script runs outside `closeAll()`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
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
