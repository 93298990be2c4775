import type { BusEnvelope } from '../cluster/cluster-bus.js';
import { ResumeRefusedError } from '../errors.js';
import type { AuthInfo } from '../security/authenticate.js';
import type { Delivered } from './catch-up.js';
import type { ReplayEntry } from './replay-log.js';
import type { SessionRecord } from './session-directory.js';

/**
 * The server's word on a resume, reached before its connection is accepted (where waiting is
 * possible) and carried to the arrival in `PeerArrival.vetted`.
 */
export type ResumeVerdict = ResumeRefusedError | TakeOver | ResumeExpired | ClaimedHere;

/** A session of another node, taken over: what its client missed, ready to be sent on arrival. */
export interface TakeOver {
  readonly kind: 'takeover';
  /** The session as it stood when claimed (its `sent` count is where numbering goes on). */
  readonly record: SessionRecord;
  /** The token the client resumes with next time (already in the directory). */
  readonly token: string;
  /** Frames the previous node logged that the client had not received. */
  readonly replay: readonly ReplayEntry[];
  /** Broadcasts nobody logged for the session while it moved, from the bus's log. */
  readonly missed: readonly BusEnvelope[];
  /** Where the bus catch-up ended. */
  readonly markedAt: string;
  /** Stops collecting what this node delivered since the mark, and hands it over. */
  readonly stopTap: () => readonly Delivered[];
}

/** The session cannot be resumed: the client gets a fresh one, told why. */
export interface ResumeExpired {
  readonly kind: 'expired';
  readonly reason: string;
}

/** A session of this node whose token the shared directory has spent; `token` is its successor. */
export interface ClaimedHere {
  readonly kind: 'claimed';
  readonly token: string;
}

export const UNKNOWN_SESSION = 'Session expired or unknown';

export function expired(reason: string): ResumeExpired {
  return { kind: 'expired', reason };
}

export function isTakeOver(verdict: unknown): verdict is TakeOver {
  return typeof verdict === 'object' && verdict !== null && (verdict as { kind?: unknown }).kind === 'takeover';
}

export function isExpired(verdict: unknown): verdict is ResumeExpired {
  return typeof verdict === 'object' && verdict !== null && (verdict as { kind?: unknown }).kind === 'expired';
}

export function isClaimedHere(verdict: unknown): verdict is ClaimedHere {
  return typeof verdict === 'object' && verdict !== null && (verdict as { kind?: unknown }).kind === 'claimed';
}

export function liveRefusal(clientId: string): ResumeRefusedError {
  return new ResumeRefusedError(
    `Refused to resume the session of client ${clientId}: it is live on another connection, which was left alone; given a fresh session`,
    'live',
  );
}

export function principalRefusal(clientId: string, authInfo: AuthInfo | undefined): ResumeRefusedError {
  const who = authInfo ? `principal ${JSON.stringify(authInfo.clientId.slice(0, 128))}` : 'an unauthenticated connection';
  return new ResumeRefusedError(`Refused to resume the session of client ${clientId} for ${who}: it belongs to another principal; given a fresh session`, 'principal');
}
