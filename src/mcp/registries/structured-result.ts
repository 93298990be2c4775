import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ContentBlockCodec, JsonObjectCodec, type CallToolResult, type ContentBlock, type JsonObject } from '../../protocol/index.js';
import { describeErrors } from './describe-errors.js';
import type { JsonSchema } from './json-schema.js';

/**
 * What a structured tool (one with an `output` codec) may return: the output value itself, or a
 * full `CallToolResult` as SDK users write it. {@link isResultShaped} decides which one a value is.
 */

/** A full result from a structured tool: `structuredContent` is a value of the output codec. */
export interface StructuredToolResult<A> {
  readonly content: ContentBlock[];
  readonly structuredContent: A;
  readonly isError?: boolean;
  readonly _meta?: JsonObject;
}

/** A failure reported by a structured tool in its own words (no `structuredContent` needed). */
export interface StructuredToolError {
  readonly content: ContentBlock[];
  readonly isError: true;
  readonly _meta?: JsonObject;
}

const ResultFieldsCodec = t.intersection([
  t.type({ content: t.array(ContentBlockCodec) }),
  t.partial({ isError: t.boolean, _meta: JsonObjectCodec }),
]);

/**
 * Whether results are told apart from output values at all: not when the output codec itself has a
 * `content` or `structuredContent` field (then every value is an output value).
 */
export function acceptsFullResults(outputSchema: JsonSchema): boolean {
  const properties = outputSchema['properties'];
  if (!JsonObjectCodec.is(properties)) return true;
  return !Object.hasOwn(properties, 'content') && !Object.hasOwn(properties, 'structuredContent');
}

/**
 * The rule: a value is a full result when it is an object whose `content` is an array and that
 * carries `structuredContent` or `isError: true`. Anything else is the output value.
 */
export function isResultShaped(value: unknown): value is { readonly content: unknown[]; readonly structuredContent?: unknown; readonly isError?: unknown } {
  if (!JsonObjectCodec.is(value) || !Array.isArray(value['content'])) return false;
  return Object.hasOwn(value, 'structuredContent') || value['isError'] === true;
}

/** Why a structured reply was refused: a problem the client is told about, and one only the server's `errors$` hears. */
export interface RefusedReply {
  readonly kind: 'invalid_output' | 'malformed';
  readonly problem: string;
}

/**
 * Builds the result of a structured tool from what its handler returned: the output value is
 * validated and encoded with `output`, and sent both as `structuredContent` and as its JSON in a
 * text block; a full result keeps its own content blocks (a JSON text block is added when it has
 * none), and its `structuredContent` is validated and encoded the same way. An error result
 * without `structuredContent` is sent as it is.
 */
export function structuredResult(output: t.Any, value: unknown, fullResults: boolean): E.Either<RefusedReply, CallToolResult> {
  if (!fullResults || !isResultShaped(value)) {
    return E.map((structured: JsonObject) => ({ content: [jsonBlock(structured)], structuredContent: structured }))(encodeOutput(output, value));
  }
  const fields = ResultFieldsCodec.decode(value);
  if (E.isLeft(fields)) return E.left({ kind: 'malformed', problem: describeErrors(fields.left, 'result') });
  const { content, isError, _meta } = fields.right;
  const extras: Partial<CallToolResult> = { ...(isError === undefined ? {} : { isError }), ...(_meta === undefined ? {} : { _meta }) };
  if (!Object.hasOwn(value, 'structuredContent')) return E.right({ content, ...extras });
  return E.map((structured: JsonObject) => ({ content: content.length > 0 ? content : [jsonBlock(structured)], structuredContent: structured, ...extras }))(
    encodeOutput(output, value.structuredContent),
  );
}

function encodeOutput(output: t.Any, value: unknown): E.Either<RefusedReply, JsonObject> {
  const decoded = output.decode(value);
  if (E.isLeft(decoded)) return E.left({ kind: 'invalid_output', problem: describeErrors(decoded.left, 'structuredContent') });
  const structured: unknown = output.encode(decoded.right);
  if (!JsonObjectCodec.is(structured)) return E.left({ kind: 'invalid_output', problem: 'structuredContent: the output codec encoded a value that is not a JSON object' });
  return E.right(structured);
}

function jsonBlock(structured: JsonObject): ContentBlock {
  return { type: 'text', text: JSON.stringify(structured) };
}
