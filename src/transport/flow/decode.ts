import * as E from 'fp-ts/lib/Either.js';
import { decodeTextFrame, frameError, type FrameError, type JsonObject } from '../../protocol/index.js';

/** A frame that is not a message, with why. */
export interface RejectedFrame<C> {
  readonly client: C;
  readonly problem: FrameError;
}

/** A message as it arrived: who sent it and what it said. */
export interface DecodedMessage<C> {
  readonly client: C;
  readonly message: JsonObject;
}

/** One frame decoded into a JSON object, or rejected: a binary frame, invalid JSON, not an object, a forbidden key. */
export function decodeInbound<C>(frame: { readonly client: C; readonly data: string | Buffer; readonly isBinary: boolean }): E.Either<RejectedFrame<C>, DecodedMessage<C>> {
  const { client } = frame;
  if (frame.isBinary || typeof frame.data !== 'string') return E.left({ client, problem: frameError('binary_frame') });
  const decoded = decodeTextFrame(frame.data);
  return E.isRight(decoded) ? E.right({ client, message: decoded.right }) : E.left({ client, problem: decoded.left });
}
