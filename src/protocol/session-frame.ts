import * as t from 'io-ts';

/**
 * The one control frame of session resumption, sent by the server as the first frame on a
 * connection whose client asked for a session (and only then: other clients never see it).
 *
 * - `resumed: true`: the client's session continues; the `replayed` messages it missed follow, in order.
 * - `resumed: false`: a fresh session. With `expired`, the client asked to resume and could not
 *   (window passed, replay log overflowed, unknown token): messages were lost, and `reason` says why.
 */
export const SessionFrameCodec = t.intersection([
  t.type({ type: t.literal('nexus/session'), session: t.string, resumed: t.boolean }),
  t.partial({ replayed: t.number, expired: t.boolean, reason: t.string }),
]);
export type SessionFrame = t.TypeOf<typeof SessionFrameCodec>;

/** The query parameter a client sets on the upgrade URL: `new`, or `<token>:<frames received>`. */
export const SESSION_QUERY_PARAMETER = 'nexus_session';
