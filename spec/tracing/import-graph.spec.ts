/**
 * Optional peer dependencies stay optional: each entry point of package.json `exports` is bundled
 * with esbuild from its source (type-only imports erased, as they are at run time), and the
 * packages its whole import graph loads are read from the metafile. `@opentelemetry/api` may be
 * loaded by `nexus-mcp/tracing` only, `prom-client` by `nexus-mcp/metrics` only, and so on: a
 * program that never imports those entries runs without those packages installed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Each optional peer, and the only entry points allowed to load it. */
const OPTIONAL_PEERS: Readonly<Record<string, readonly string[]>> = {
  '@opentelemetry/api': ['./tracing'],
  'prom-client': ['./metrics'],
  ioredis: ['./redis'],
  '@modelcontextprotocol/sdk': ['./sdk'],
};

const { exports } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, { types: string }> };
const ENTRIES = Object.entries(exports).map(([specifier, { types }]) => [specifier, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')] as const);

/** The packages (names, not deep paths) that `file`'s import graph loads, statically or with import(). */
async function packagesLoadedBy(file: string): Promise<Set<string>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('node:')) continue;
      const parts = imported.path.split('/');
      packages.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? imported.path));
    }
  }
  return packages;
}

describe('the import graph of each entry point', () => {
  it.each(ENTRIES)('%s loads an optional peer only if it is the entry point for it', async (specifier, file) => {
    const loaded = await packagesLoadedBy(file);
    for (const [peer, allowed] of Object.entries(OPTIONAL_PEERS)) {
      if (!allowed.includes(specifier)) expect(loaded.has(peer), `${specifier} (${file}) loads ${peer}`).toBe(false);
    }
  });

  it('nexus-mcp/tracing does load @opentelemetry/api (the check above can see it)', async () => {
    expect(await packagesLoadedBy('src/tracing/index.ts')).toContain('@opentelemetry/api');
  });
});
