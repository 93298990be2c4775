/**
 * Headless Chromium for the browser and dashboard specs, driven by playwright-core: Debian's
 * chromium (no browser download). Found at `CHROMIUM_PATH`, else the usual Debian and Ubuntu paths;
 * a machine without one fails the test with what to install, rather than skipping it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { track } from './resources.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium', '/snap/bin/chromium'];

/** Where the browser is: `CHROMIUM_PATH`, else the first of the usual paths that exists. */
export function chromiumPath(): string {
  const fromEnvironment = process.env['CHROMIUM_PATH'];
  const found = [fromEnvironment, ...CANDIDATES].find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (found === undefined) throw new Error(`No Chromium found (tried CHROMIUM_PATH and ${CANDIDATES.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
  return found;
}

/** Launches headless Chromium, closed by `closeAll()`. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
  return track(browser, (b) => b.close());
}
