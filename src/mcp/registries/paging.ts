import { quotePeerText } from '../../transport/index.js';
import { McpError } from '../mcp-error.js';

/**
 * Cursor paging over a list kept in a stable order (sorted by key). A cursor is the opaque,
 * base64url-encoded key of the last item of the previous page, so pages stay consistent while
 * items are added or removed between two requests: nothing is repeated, nothing shifts.
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export const DEFAULT_PAGE_SIZE = 100;

/** Sorts by `keyOf` and returns the page after `cursor`. Throws -32602 for a cursor we did not issue. */
export function paginate<T>(items: Iterable<T>, keyOf: (item: T) => string, cursor: string | undefined, pageSize: number): Page<T> {
  const sorted = [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    start = sorted.findIndex((item) => compareKeys(keyOf(item), after) > 0);
    if (start === -1) start = sorted.length;
  }
  const page = sorted.slice(start, start + pageSize);
  const last = page[page.length - 1];
  const more = start + pageSize < sorted.length;
  return more && last !== undefined ? { items: page, nextCursor: encodeCursor(keyOf(last)) } : { items: page };
}

/** Code-unit order: the same on every platform and locale. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CURSOR_PREFIX = 'k:';

function encodeCursor(key: string): string {
  return Buffer.from(CURSOR_PREFIX + key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]*$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(CURSOR_PREFIX)) throw McpError.invalidParams(`Invalid cursor: ${quotePeerText(cursor)} was not issued by this server`);
  return text.slice(CURSOR_PREFIX.length);
}
