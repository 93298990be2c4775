/**
 * The package's entry points, read from package.json `exports`: the one list every packaging check
 * (consumer fixtures, runtime loads, tarball contents) is driven by.
 */
import { readFileSync } from 'node:fs';

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly bin?: Readonly<Record<string, string>>;
}

export interface EntryPoint {
  /** The `exports` key: `.`, `./transport`, … */
  readonly subpath: string;
  /** What a consumer writes: `nexus-mcp`, `nexus-mcp/transport`, … */
  readonly specifier: string;
  /** The consumer fixture for it, in `spec/package/fixtures/`: `root.ts` for `.`, `transport.ts` for `./transport`. */
  readonly fixture: string;
  /** Package-relative files the entry resolves to: its declarations and its JavaScript. */
  readonly types: string;
  readonly runtime: string;
}

export function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

export function entryPoints(pkg: PackageJson): EntryPoint[] {
  return Object.entries(pkg.exports).map(([subpath, conditions]) => {
    const types = conditions['types'];
    const runtime = conditions['default'] ?? conditions['import'];
    if (types === undefined || runtime === undefined) {
      throw new Error(`exports["${subpath}"] needs a "types" and a "default" condition`);
    }
    const name = subpath === '.' ? 'root' : subpath.replace(/^\.\//, '').replaceAll('/', '-');
    return {
      subpath,
      specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`,
      fixture: `${name}.ts`,
      types: types.replace(/^\.\//, ''),
      runtime: runtime.replace(/^\.\//, ''),
    };
  });
}
