/**
 * Sizes of the browser build as a page ships it: each page of spec/browser/pages bundled with
 * esbuild (platform browser, minified, ES2022), raw and gzipped. `npm run size:browser` prints the
 * table docs/browser.md quotes.
 */
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, nodeOnlyInputs, sizeOf } from './support/browser-bundle.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const PAGES = [
  ['transport-page', 'WebSocketClientTransport only'],
  ['mcp-page', 'SimpleMCPClient (WebSocket and Streamable HTTP)'],
] as const;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

console.log('| Page | What it uses | Minified | Minified + gzip |');
console.log('|---|---|---|---|');
for (const [name, what] of PAGES) {
  const bundle = await bundleForBrowser(`spec/browser/pages/${name}.ts`, { workingDir: REPO_ROOT, minify: true });
  const leaks = nodeOnlyInputs(bundle.inputs);
  if (leaks.length > 0) throw new Error(`${name} bundles Node-only modules: ${leaks.join(', ')}`);
  const { bytes, gzipped } = sizeOf(bundle.code);
  console.log(`| ${name} | ${what} | ${kib(bytes)} | ${kib(gzipped)} |`);
}
