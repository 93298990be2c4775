/**
 * Serves the test pages to a real browser: each page of spec/browser/pages bundled for the browser
 * (support/browser-bundle.ts) behind a one-line HTML file, on 127.0.0.1 port 0. Its origin is what
 * the servers under test allow. Stopped by `closeAll()`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { track } from '../../support/resources.js';
import { bundleForBrowser, nodeOnlyInputs } from './browser-bundle.js';

const PAGES_DIR = fileURLToPath(new URL('../pages/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export class PageServer {
  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`: the Origin the pages' WebSockets carry. */
    readonly origin: string,
  ) {}

  /** Bundles `pages` (file names in spec/browser/pages, without `.ts`) and serves each at `/<name>.html`. */
  static async start(pages: readonly string[]): Promise<PageServer> {
    const scripts = new Map<string, string>();
    for (const name of pages) {
      const bundle = await bundleForBrowser(`${PAGES_DIR}${name}.ts`, { workingDir: REPO_ROOT });
      const leaks = nodeOnlyInputs(bundle.inputs);
      if (leaks.length > 0) throw new Error(`${name} bundles Node-only modules: ${leaks.join(', ')}`);
      scripts.set(name, bundle.code);
    }
    const server = createServer((request, response) => {
      const [, name, extension] = /^\/([\w-]+)\.(html|js)$/.exec(request.url ?? '') ?? [];
      const script = name === undefined ? undefined : scripts.get(name);
      if (script === undefined) {
        response.writeHead(404).end();
        return;
      }
      if (extension === 'js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${name}</title><script type="module" src="/${name}.js"></script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return track(new PageServer(server, `http://127.0.0.1:${port}`), (pageServer) => pageServer.close());
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
