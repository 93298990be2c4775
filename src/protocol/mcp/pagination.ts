import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';

/** Paging shared by `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`. */

/** Params of every paged list request: an opaque cursor from the previous page. */
export const PaginatedParamsCodec = t.partial({ cursor: t.string, _meta: JsonObjectCodec });
export type PaginatedParams = t.TypeOf<typeof PaginatedParamsCodec>;

/** Fields every list result may carry: the next page's cursor and, in 2026-07-28, cache hints. */
export const PaginatedResultFieldsCodec = t.partial({
  nextCursor: t.string,
  ttlMs: t.number,
  cacheScope: t.string,
  resultType: t.string,
  _meta: JsonObjectCodec,
});
