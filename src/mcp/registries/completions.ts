import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { JsonRpcErrorCode, MAX_COMPLETION_VALUES, type CompleteParams, type CompleteResult } from '../../protocol/index.js';
import { cutPeerText, quotePeerText } from '../../transport/index.js';
import { describeErrors } from './describe-errors.js';
import type { HandlerContext } from '../server/requests/handler-context.js';
import { McpError } from '../mcp-error.js';

/** What a completer knows besides the partial value: the arguments (or template variables) already filled in. */
export interface CompletionContext {
  readonly arguments: Readonly<Record<string, string>>;
}

/**
 * What a completer returns: the matching values, or `{ values, total?, hasMore? }` when it knows
 * there are more than it returns. At most 100 values are sent; `total` defaults to the number of
 * values returned, `hasMore` to whether `total` exceeds what is sent.
 */
export type CompletionReply = readonly string[] | { readonly values: readonly string[]; readonly total?: number; readonly hasMore?: boolean };

/**
 * Suggests values for one prompt argument or resource template variable (`completion/complete`),
 * from what the user has typed so far (`value`).
 *
 * @example (value) => ['en', 'fr', 'de'].filter((code) => code.startsWith(value))
 */
export type Completer = (value: string, context: CompletionContext, ctx: HandlerContext) => CompletionReply | Promise<CompletionReply>;

/** Completers by argument (or variable) name. */
export type Completers<K extends string = string> = { readonly [name in K]?: Completer };

/** Where completers are found: the registries that hold prompts and resource templates. */
export interface CompleterSource {
  /** The completers of a prompt; `undefined` when there is no such prompt. */
  promptCompleters(name: string): Completers | undefined;
  /** The completers of a resource template, `{}` for a fixed resource; `undefined` when neither exists. */
  templateCompleters(uri: string): Completers | undefined;
}

const ReplyCodec = t.union([
  t.array(t.string),
  t.intersection([t.type({ values: t.array(t.string) }), t.partial({ total: t.number, hasMore: t.boolean })]),
]);

/** Checks at registration that every completer names an argument (or variable) that exists. */
export function checkCompleters(completers: Completers | undefined, names: readonly string[], what: string, noun: 'arguments' | 'variables'): Completers {
  for (const [name, completer] of Object.entries(completers ?? {})) {
    if (!names.includes(name)) throw new TypeError(`${what} has a completer for ${JSON.stringify(name)}, which is not one of its ${names.length === 0 ? `${noun} (it has none)` : `${noun}: ${names.join(', ')}`}`);
    if (typeof completer !== 'function') throw new TypeError(`${what}: the completer for ${JSON.stringify(name)} must be a function`);
  }
  return completers ?? {};
}

/**
 * Answers `completion/complete`. An unknown prompt or template is -32602 (the spec's "invalid
 * prompt name"); an argument without a completer has no suggestions; a completer that throws (an
 * `McpError` aside) or returns something else than strings is -32603, its details on `errors$`.
 */
export async function complete(
  params: CompleteParams,
  source: CompleterSource,
  ctx: HandlerContext,
  onFailure: (error: unknown, context: string) => void,
): Promise<CompleteResult> {
  const { ref, argument } = params;
  const completers = ref.type === 'ref/prompt' ? source.promptCompleters(ref.name) : source.templateCompleters(ref.uri);
  if (completers === undefined) {
    throw ref.type === 'ref/prompt'
      ? McpError.invalidParams('Unknown prompt', { name: cutPeerText(ref.name) })
      : McpError.invalidParams('Unknown resource template', { uri: cutPeerText(ref.uri) });
  }
  const completer = Object.hasOwn(completers, argument.name) ? completers[argument.name] : undefined;
  if (completer === undefined) return { completion: { values: [], total: 0, hasMore: false } };
  const where = ref.type === 'ref/prompt' ? `prompt "${ref.name}"` : `resource template ${ref.uri}`;
  const failed = (): McpError => new McpError(JsonRpcErrorCode.InternalError, `Completing ${quotePeerText(argument.name)} failed with an internal error`);
  let reply: unknown;
  try {
    reply = await completer(argument.value, { arguments: params.context?.arguments ?? {} }, ctx);
  } catch (error) {
    if (error instanceof McpError) throw error;
    onFailure(error, `completion of ${where}, argument ${JSON.stringify(argument.name)}`);
    throw failed();
  }
  const decoded = ReplyCodec.decode(reply);
  if (E.isLeft(decoded)) {
    onFailure(new Error(`The completer returned a malformed reply: ${describeErrors(decoded.left, 'reply')}`), `completion of ${where}, argument ${JSON.stringify(argument.name)}`);
    throw failed();
  }
  return { completion: capped(decoded.right) };
}

/** At most 100 values; how many there are in all, and whether more exist than were sent. */
function capped(reply: t.TypeOf<typeof ReplyCodec>): CompleteResult['completion'] {
  const values = Array.isArray(reply) ? reply : reply.values;
  const shown = values.slice(0, MAX_COMPLETION_VALUES);
  const total = (Array.isArray(reply) ? undefined : reply.total) ?? values.length;
  const hasMore = (Array.isArray(reply) ? undefined : reply.hasMore) ?? total > shown.length;
  return { values: shown, total, hasMore };
}
