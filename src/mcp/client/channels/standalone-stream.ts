import type { JsonObject } from '../../../protocol/index.js';
import { HttpStatusError, SessionNotFoundError } from '../../mcp-error.js';
import { followEventStream, type FollowSettings } from './event-stream-follower.js';
import type { HttpRequester } from './http-requester.js';

/** What following a session's GET stream needs. */
export interface StandaloneStream {
  readonly requester: HttpRequester;
  readonly follow: FollowSettings;
  /** The session the stream belongs to (`undefined`: the server keeps none). */
  readonly session: string | undefined;
  /** Aborting ends the following, quietly. */
  readonly signal: AbortSignal;
  readonly deliver: (message: JsonObject) => void;
  readonly report: (error: Error) => void;
  /** A GET's answer: the response when it is a 200 event stream, else its typed error (a 404 also ends the session). */
  readonly check: (response: Response, what: string) => Promise<Response>;
  /** Told once the first GET has answered, opened or not. */
  readonly afterFirstAttempt: () => void;
}

const WHAT = 'the event stream (GET)';

/** The server answered the GET with 405: it offers no standalone stream. */
class NotOffered extends Error {}

/**
 * Follows a session's standalone GET stream, where the server sends what belongs to no request
 * (list changes, resource updates, requests of its own): reopened after a break with
 * `Last-Event-ID` when an event id is known, from now on otherwise, until aborted. A server that
 * answers 405 offers none, and one that keeps no sessions may refuse it with any 4xx: nothing is
 * reported then. A resumption the server refuses (400) is reported (what was sent meanwhile is
 * lost) and the stream opened afresh. Resolves when the following is over; a stream that cannot
 * go on is reported, not thrown.
 */
export async function followStandalone(stream: StandaloneStream): Promise<void> {
  try {
    await followEventStream(
      {
        signal: stream.signal,
        what: WHAT,
        onMessage: (message) => {
          stream.deliver(message);
          return false;
        },
        onBadEvent: stream.report,
        reopen: (lastEventId) => open(stream, lastEventId),
        reopenWithoutId: true,
        afterFirstAttempt: stream.afterFirstAttempt,
      },
      stream.follow,
    );
  } catch (error) {
    // Let go on purpose (stop, an expired session), or not offered: nothing to report.
    if (stream.signal.aborted || error instanceof NotOffered || error instanceof SessionNotFoundError) return;
    stream.report(error instanceof Error ? error : new Error(String(error)));
  }
}

async function open(stream: StandaloneStream, lastEventId: string | undefined): Promise<Response> {
  const response = await stream.requester.send({ method: 'GET', signal: stream.signal, what: WHAT, ...(lastEventId === undefined ? {} : { lastEventId }) });
  if (response.status === 405 || (stream.session === undefined && response.status >= 400 && response.status < 500)) {
    await response.body?.cancel();
    throw new NotOffered();
  }
  if (response.status === 400 && lastEventId !== undefined) {
    await response.body?.cancel();
    stream.report(new HttpStatusError(`The server could not resume ${WHAT} after event ${lastEventId}; what it sent meanwhile is lost`, 400));
    return open(stream, undefined);
  }
  return stream.check(response, WHAT);
}
