import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeTextFrame } from './frame.js';

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

/** Adds the session parameter to a client's URL for one connection attempt. */
export function withSessionRequest(uri: string, token: string | undefined, received: number): string {
  const url = new URL(uri);
  url.searchParams.set(SESSION_QUERY_PARAMETER, token === undefined ? 'new' : `${token}:${received}`);
  return url.toString();
}

/** The session frame in `text`, or `undefined` when it is anything else. */
export function decodeSessionFrame(text: string): SessionFrame | undefined {
  const parsed = decodeTextFrame(text);
  if (E.isLeft(parsed)) return undefined;
  const decoded = SessionFrameCodec.decode(parsed.right);
  return E.isRight(decoded) ? decoded.right : undefined;
}

/**
 * The upgrade URL without the session parameter: it is the transport's own, and its token is a
 * credential, so applications never see it.
 */
export function withoutSessionRequest(url: string): string {
  const at = url.indexOf('?');
  if (at < 0 || !url.includes(SESSION_QUERY_PARAMETER, at)) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  query.delete(SESSION_QUERY_PARAMETER);
  const rest = query.toString();
  return rest === '' ? url.slice(0, at) : `${url.slice(0, at)}?${rest}`;
}
