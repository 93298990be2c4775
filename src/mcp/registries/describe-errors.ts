import type * as t from 'io-ts';
import { PEER_TEXT_LIMIT, quotePeerText } from '../../transport/security/quote-peer-text.js';

/**
 * io-ts validation errors in plain words, each naming the path that failed:
 * `arguments.items[2].price: expected a number, got "12"`. Keys and string values come from the
 * peer, so each is shown quoted and cut to 128 characters (`quotePeerText`): the description stays
 * small however large the input.
 */

/** Codecs whose children are real places in the data; the rest (unions, intersections) only add member indexes. */
const structuralTags = new Set(['InterfaceType', 'PartialType', 'DictionaryType', 'ArrayType', 'ReadonlyArrayType', 'TupleType', 'StrictType', 'ExactType']);

const MAX_REPORTED = 4;

/**
 * Joins the failures of `errors` under `root`, e.g. `describeErrors(errors, 'arguments')`. Failures
 * at the same path (the members of a union) merge: `mode: expected "fast" or "slow", got "warp"`.
 */
export function describeErrors(errors: t.Errors, root = 'value'): string {
  const byPath = new Map<string, { value: unknown; expected: string[]; messages: string[] }>();
  for (const error of errors) {
    const path = pathOf(error.context, root);
    const entry = byPath.get(path) ?? { value: error.value, expected: [], messages: [] };
    byPath.set(path, entry);
    if (error.message) {
      if (!entry.messages.includes(error.message)) entry.messages.push(error.message);
      continue;
    }
    const leaf = error.context[error.context.length - 1];
    const expected = leaf ? expectation(leaf.type) : 'a valid value';
    if (!entry.expected.includes(expected)) entry.expected.push(expected);
  }
  const lines = [...byPath].map(([path, { value, expected, messages }]) => {
    if (messages.length > 0) return `${path}: ${messages.join('; ')}`;
    const wanted = expected.join(' or ');
    return value === undefined ? `${path}: is required (expected ${wanted})` : `${path}: expected ${wanted}, got ${shown(value)}`;
  });
  const reported = lines.slice(0, MAX_REPORTED);
  const more = lines.length - reported.length;
  return reported.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/** Segments a path shows at each end; the ones between (in input nested that deep) are counted, not shown. */
const PATH_ENDS = 8;

function pathOf(context: t.Context, root: string): string {
  const segments: string[] = [];
  for (let i = 1; i < context.length; i += 1) {
    const parent = context[i - 1];
    const entry = context[i];
    if (!parent || !entry) continue;
    const tag = tagOf(parent.type);
    if (tag === undefined || !structuralTags.has(tag)) continue;
    const index = /^\d{1,15}$/.test(entry.key) && tag !== 'InterfaceType' && tag !== 'PartialType';
    segments.push(index ? `[${entry.key}]` : propertyAccess(entry.key));
  }
  if (segments.length <= 2 * PATH_ENDS) return root + segments.join('');
  const hidden = segments.length - 2 * PATH_ENDS;
  return `${root}${segments.slice(0, PATH_ENDS).join('')}…(${hidden} more)…${segments.slice(-PATH_ENDS).join('')}`;
}

/** A codec's tag; a `t.recursion` is looked through to the codec it defines. */
function tagOf(type: t.Decoder<unknown, unknown>): string | undefined {
  const tagged = type as { _tag?: string; type?: t.Decoder<unknown, unknown> };
  return tagged._tag === 'RecursiveType' && tagged.type ? tagOf(tagged.type) : tagged._tag;
}

function propertyAccess(key: string): string {
  return key.length <= PEER_TEXT_LIMIT && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${quotePeerText(key)}]`;
}

function expectation(type: t.Decoder<unknown, unknown>): string {
  const tagged = type as { _tag?: string; value?: unknown; keys?: Record<string, unknown>; name: string };
  switch (tagged._tag) {
    case 'StringType':
      return 'a string';
    case 'NumberType':
      return 'a number';
    case 'BooleanType':
      return 'true or false';
    case 'NullType':
      return 'null';
    case 'LiteralType':
      return JSON.stringify(tagged.value);
    case 'KeyofType':
      return `one of ${Object.keys(tagged.keys ?? {})
        .map((key) => JSON.stringify(key))
        .join(', ')}`;
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
    case 'ExactType':
    case 'UnknownRecordType':
    case 'AnyDictionaryType':
      return 'an object';
    case 'DictionaryType':
      return `an object (${tagged.name})`;
    case 'ArrayType':
    case 'ReadonlyArrayType':
    case 'AnyArrayType':
    case 'UnknownArrayType':
      return 'an array';
    default:
      if (tagged.name === 'Int') return 'an integer';
      if (tagged.name === 'JsonObject') return 'an object';
      return tagged.name;
  }
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return quotePeerText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
}
