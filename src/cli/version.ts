import { readFileSync } from 'node:fs';

/** The package's version, read from its package.json (two folders up from both `src/cli` and `dist/cli`). */
export function packageVersion(): string {
  try {
    const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
