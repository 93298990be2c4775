import * as E from 'fp-ts/lib/Either.js';
import secureJson from 'secure-json-parse';
import { JsonObjectCodec, type JsonObject } from './json-object.js';

/** Why a frame was not accepted as a message. Stable strings: clients may switch on them. */
export type FrameErrorKind = 'invalid_json' | 'not_an_object' | 'binary_frame' | 'forbidden_key';

export interface FrameError {
  readonly kind: FrameErrorKind;
  /** What a person reads: safe to send to the peer. */
  readonly message: string;
  /**
   * For `forbidden_key`: the message with the forbidden keys taken out, so that a reply can still
   * name the request (its JSON-RPC id). Never handed to a handler.
   */
  readonly request?: JsonObject;
}

const frameErrorMessages: Record<FrameErrorKind, string> = {
  invalid_json: 'Invalid JSON message',
  not_an_object: 'Message must be a JSON object',
  binary_frame: 'Binary frames are not supported; send JSON as text',
  forbidden_key: 'Message contains a forbidden key ("__proto__", or "constructor" holding "prototype")',
};

export const frameError = (kind: FrameErrorKind): FrameError => ({ kind, message: frameErrorMessages[kind] });

/**
 * Parses one text frame into a JSON object, as a value: a bad frame is a `Left`, never a throw.
 *
 * `JSON.parse` keeps an own `"__proto__"` key; any code that later copies the object by assignment
 * (io-ts does, decoding `t.exact` inside `t.type`) would make that key the copy's prototype, and a
 * handler would see attacker-chosen inherited properties. So such a frame is refused here, where
 * every layer's input is parsed, by secure-json-parse (which only scans an object whose text
 * mentions one of the two keys, escaped or not, so ordinary frames pay one regular-expression test).
 */
export function decodeTextFrame(text: string): E.Either<FrameError, JsonObject> {
  // secure-json-parse forgives a byte-order mark; JSON (RFC 8259 §8.1) and JSON.parse do not.
  if (text.charCodeAt(0) === 0xfeff) return E.left(frameError('invalid_json'));
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, null, STRICT);
  } catch (error) {
    if (!(error instanceof SyntaxError && error.message === FORBIDDEN)) return E.left(frameError('invalid_json'));
    // Parsed again without the keys, only so that the error reply can carry the request's id.
    const request: unknown = secureJson.parse(text, null, REMOVE);
    return E.left(JsonObjectCodec.is(request) ? { ...frameError('forbidden_key'), request } : frameError('not_an_object'));
  }
  return JsonObjectCodec.is(parsed) ? E.right(parsed) : E.left(frameError('not_an_object'));
}

const STRICT = { protoAction: 'error', constructorAction: 'error' } as const;
const REMOVE = { protoAction: 'remove', constructorAction: 'remove' } as const;
/** What secure-json-parse throws for a forbidden key (any other SyntaxError is malformed JSON). */
const FORBIDDEN = 'Object contains forbidden prototype property';
