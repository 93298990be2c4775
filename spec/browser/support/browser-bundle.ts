/**
 * Bundles a page the way a web app's bundler would (esbuild, platform browser, the `browser` export
 * condition) and says what in it does not belong in a browser: ws, a Node built-in, or one of our
 * Node-only modules (servers, edges, stdio). Used by spec/browser and by the packed-package check
 * in spec/package/consumer.ts.
 */
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';

export interface BrowserBundle {
  /** The bundled JavaScript. */
  readonly code: string;
  /** Every module in it, as esbuild names them (paths relative to the working directory). */
  readonly inputs: readonly string[];
}

export interface BundleOptions {
  /** Where relative paths (and `inputs`) start; the entry's package resolution starts at the entry. Default the current directory. */
  readonly workingDir?: string;
  readonly minify?: boolean;
  /** Folders to resolve bare imports from when the entry's own folders have no node_modules (a scratch page). */
  readonly nodePaths?: readonly string[];
}

/** Bundles `entry` for a browser; rejects with esbuild's errors (a `node:` import fails here). */
export async function bundleForBrowser(entry: string, options: BundleOptions = {}): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    conditions: ['browser'],
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? false,
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...(options.workingDir === undefined ? {} : { absWorkingDir: options.workingDir }),
    ...(options.nodePaths === undefined ? {} : { nodePaths: [...options.nodePaths] }),
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) };
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Modules of ours that only make sense in Node: the servers, their edges, stdio processes. */
const NODE_ONLY_MODULES = [
  /(^|\/)(src|dist)\/transport\/server\/server-transport\.[jt]s$/,
  /(^|\/)(src|dist)\/transport\/edges\/(ws-edge|listener|tls|stdio-edge)\.[jt]s$/,
  /(^|\/)(src|dist)\/transport\/client\/(client-transport|stdio-child)\.[jt]s$/,
  /(^|\/)(src|dist)\/mcp\/server\//,
  /(^|\/)(src|dist)\/mcp\/client\/(simple-client|channels\/stdio-channel)\.[jt]s$/,
];

/** What of `inputs` has no place in a browser bundle, each with why. */
export function nodeOnlyInputs(inputs: readonly string[]): string[] {
  const found: string[] = [];
  for (const input of inputs) {
    const path = input.replace(/^[a-z-]+:/, (namespace) => (namespace === 'node:' ? namespace : ''));
    if (/(^|\/)node_modules\/ws\//.test(path)) found.push(`${input} (the ws package)`);
    else if (BUILTINS.has(path) || path.startsWith('node:')) found.push(`${input} (a Node built-in)`);
    else if (NODE_ONLY_MODULES.some((pattern) => pattern.test(path))) found.push(`${input} (Node-only code of nexus-mcp)`);
  }
  return found;
}

/** Size of a bundle: its bytes, and gzipped at the default level (what a server sends with `Content-Encoding: gzip`). */
export function sizeOf(code: string): { readonly bytes: number; readonly gzipped: number } {
  const bytes = Buffer.byteLength(code);
  return { bytes, gzipped: gzipSync(code).length };
}
