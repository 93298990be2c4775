import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeTextFrame } from './frame.js';

/**
 * The one control frame of session resumption, sent by the server as the first frame on a
 * connection whose client asked for a session (and only then: other clients never see it).
 *
 * - `session`: the token to resume with after a drop. It is single-use: every open that continues
 *   the session brings a new one.
 * - `resumed: true`: the client's session continues; the `replayed` messages it missed follow, in order.
 * - `resumed: false`: a fresh session. With `expired`, the client asked to resume and could not
 *   (window passed, replay log overflowed, unknown token): messages were lost, and `reason` says why.
 */
export const SessionFrameCodec = t.intersection([
  t.type({ type: t.literal('nexus/session'), session: t.string, resumed: t.boolean }),
  t.partial({ replayed: t.number, expired: t.boolean, reason: t.string }),
]);
export type SessionFrame = t.TypeOf<typeof SessionFrameCodec>;

/**
 * How a client asks for a session on its upgrade request: `new`, or `<token>:<frames received>`
 * to resume. The token is a credential (and single-use), so it travels where logs rarely keep it:
 * this header where the client can set headers (Node), else a subprotocol entry (browsers), and
 * the query string only when neither is possible.
 */
export const SESSION_HEADER = 'nexus-session';
/** The subprotocol entry: `nexus-session.new` or `nexus-session.<token>.<frames received>` (a subprotocol may not hold `:`). */
export const SESSION_SUBPROTOCOL_PREFIX = 'nexus-session.';
/** The query parameter, the fallback: same values as the header. */
export const SESSION_QUERY_PARAMETER = 'nexus_session';

/** The session frame in `text`, or `undefined` when it is anything else. */
export function decodeSessionFrame(text: string): SessionFrame | undefined {
  const parsed = decodeTextFrame(text);
  if (E.isLeft(parsed)) return undefined;
  const decoded = SessionFrameCodec.decode(parsed.right);
  return E.isRight(decoded) ? decoded.right : undefined;
}
