/**
 * The browser build's import graph: pages bundled as a web app's bundler would (esbuild, platform
 * browser, `browser` condition) hold no ws, no Node built-in and none of our Node-only modules. The
 * last two tests prove the check bites: a page that reaches the Node entry fails to bundle, and one
 * that imports ws bundles (ws's browser stub) but is caught by the input check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, nodeOnlyInputs } from './support/browser-bundle.js';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'nexus-browser-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A page entry in a scratch folder, importing what `source` says (paths relative to the repository root). */
function page(name: string, source: string): string {
  const file = join(scratch, `${name}.ts`);
  writeFileSync(file, source.replaceAll('@root/', `${root}/`));
  return file;
}

describe('the browser build', () => {
  it.each(['mcp-page', 'transport-page'])('%s bundles with nothing Node-only in it', async (name) => {
    const bundle = await bundleForBrowser(join(root, 'spec/browser/pages', `${name}.ts`), { workingDir: root });
    expect(nodeOnlyInputs(bundle.inputs)).toEqual([]);
    // It is the client it claims to be: the browser build's modules, the shared client core, rxjs.
    expect(bundle.inputs).toContain('src/browser/index.ts');
    expect(bundle.inputs).toContain('src/transport/client/client-core.ts');
    expect(bundle.inputs.some((input) => input.includes('node_modules/rxjs/'))).toBe(true);
  });

  it('every export of the browser entry bundles without a Node-only module', async () => {
    const bundle = await bundleForBrowser(page('everything', "export * from '@root/src/browser/index.ts';\n"), { workingDir: root });
    expect(nodeOnlyInputs(bundle.inputs)).toEqual([]);
    expect(bundle.code).toContain('globalThis');
  });

  it('the check bites: a page that reaches the Node transport entry does not bundle', async () => {
    const bad = page('node-entry', "export { WebSocketClientTransport } from '@root/src/transport/index.ts';\n");
    await expect(bundleForBrowser(bad, { workingDir: root })).rejects.toThrow(/node:/);
  });

  it('the check bites: a page that imports ws is caught even though ws has a browser stub', async () => {
    const bad = page('with-ws', "export { WebSocket } from 'ws';\n");
    const bundle = await bundleForBrowser(bad, { workingDir: root, nodePaths: [join(root, 'node_modules')] });
    expect(nodeOnlyInputs(bundle.inputs)).toEqual([expect.stringMatching(/node_modules\/ws\/browser\.js \(the ws package\)$/)]);
  });

  it('the check bites: our Node-only modules are named even when they would bundle', () => {
    expect(nodeOnlyInputs(['src/transport/client/client-transport.ts', 'dist/mcp/server/mcp-server.js', 'node:http', 'fs', 'src/transport/client/client-core.ts'])).toEqual([
      'src/transport/client/client-transport.ts (Node-only code of nexus-mcp)',
      'dist/mcp/server/mcp-server.js (Node-only code of nexus-mcp)',
      'node:http (a Node built-in)',
      'fs (a Node built-in)',
    ]);
  });
});
