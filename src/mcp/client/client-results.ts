import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  InitializeResultCodec,
  isLegacyProtocolVersion,
  JsonRpcErrorCode,
  LATEST_LEGACY_PROTOCOL_VERSION,
  LifecycleMethod,
  type InitializeResult,
  type JsonObject,
} from '../../protocol/index.js';
import { describeErrors } from '../registries/describe-errors.js';
import { McpError } from '../mcp-error.js';

/** A bound on paging, so a server that never stops handing out cursors cannot keep a call alive forever. */
const MAX_PAGES = 1000;

/** Checks a result against its codec: a malformed one is the server's fault, reported as -32603. */
export function decodeResult<A>(codec: t.Decoder<unknown, A>, result: JsonObject, method: string): A {
  const decoded = codec.decode(result);
  if (E.isLeft(decoded)) {
    throw new McpError(JsonRpcErrorCode.InternalError, `Malformed ${method} result from the server: ${describeErrors(decoded.left, 'result')}`);
  }
  return decoded.right;
}

/** The server's `initialize` answer, checked: well formed, and in a protocol revision this client speaks. */
export function decodeInitializeResult(raw: JsonObject): InitializeResult {
  const result = decodeResult(InitializeResultCodec, raw, LifecycleMethod.initialize);
  if (!isLegacyProtocolVersion(result.protocolVersion)) {
    throw new McpError(JsonRpcErrorCode.InvalidRequest, `The server answered protocol version ${result.protocolVersion}, which this client does not speak`, {
      supported: [LATEST_LEGACY_PROTOCOL_VERSION],
      requested: result.protocolVersion,
    });
  }
  return result;
}

/**
 * Every item of a paged list: asks for page after page, following `nextCursor` until a result has
 * none. A repeated cursor or more than `MAX_PAGES` pages is the server's fault (-32603) rather than
 * a loop without end.
 *
 * @param requestPage sends `method` with these params (`undefined` for the first page).
 */
export async function collectPages<T>(
  method: string,
  itemsOf: (result: JsonObject) => T[],
  requestPage: (params: JsonObject | undefined) => Promise<JsonObject>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await requestPage(cursor === undefined ? undefined : { cursor });
    items.push(...itemsOf(result));
    const next = result['nextCursor'];
    if (typeof next !== 'string') return items;
    if (seen.has(next)) throw new McpError(JsonRpcErrorCode.InternalError, `${method}: the server repeated cursor ${JSON.stringify(next)}`);
    seen.add(next);
    cursor = next;
  }
  throw new McpError(JsonRpcErrorCode.InternalError, `${method}: more than ${MAX_PAGES} pages`);
}
