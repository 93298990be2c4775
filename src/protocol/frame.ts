import * as E from 'fp-ts/lib/Either.js';
import { JsonObjectCodec, type JsonObject } from './json-object.js';

/** Why a frame was not accepted as a message. Stable strings: clients may switch on them. */
export type FrameErrorKind = 'invalid_json' | 'not_an_object' | 'binary_frame';

export interface FrameError {
  readonly kind: FrameErrorKind;
  /** What a person reads: safe to send to the peer. */
  readonly message: string;
}

const frameErrorMessages: Record<FrameErrorKind, string> = {
  invalid_json: 'Invalid JSON message',
  not_an_object: 'Message must be a JSON object',
  binary_frame: 'Binary frames are not supported; send JSON as text',
};

export const frameError = (kind: FrameErrorKind): FrameError => ({ kind, message: frameErrorMessages[kind] });

/** Parses one text frame into a JSON object, as a value: a bad frame is a `Left`, never a throw. */
export function decodeTextFrame(text: string): E.Either<FrameError, JsonObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return E.left(frameError('invalid_json'));
  }
  return JsonObjectCodec.is(parsed) ? E.right(parsed) : E.left(frameError('not_an_object'));
}
