import { comparePositions, type BusEnvelope } from '../cluster/cluster-bus.js';

/** The bus topics of cross-node resumption (a prefix of their own, beside the transport's `broadcast`). */
export const ResumeTopic = {
  /** To a session's node: live-check its link, else let it go. `{ sessionId, nonce }`. */
  check: 'resume:check',
  /** From that node, to the asker: its link answered, the session is in use. `{ nonce }`. */
  live: 'resume:live',
  /** Published by that node once it let the session go and its log is complete. `{ nonce }`. */
  released: 'resume:released',
  /** To a silent node: another node took the session; drop your copy quietly. `{ sessionId }`. */
  drop: 'resume:drop',
  /** Published by the node taking a session over: where its catch-up from the bus ends. `{ nonce }`. */
  mark: 'resume:mark',
  /** The transport's broadcast topic (see cluster-link.ts). */
  broadcast: 'broadcast',
} as const;

/** Where the bus part of a take-over stands after reading the bus up to the taker's own mark. */
export interface BusCatchUp {
  /** Broadcasts the session's client missed, in bus order. */
  readonly missed: readonly BusEnvelope[];
  /** The position of the taker's mark, once read: the end of {@link missed}. */
  readonly markedAt: string | undefined;
}

/** Who wrote what, for {@link selectMissed}. */
export interface CatchUpParties {
  /** The node that logged the session until now: its own broadcasts it logged as it sent them. */
  readonly previousNode: string;
  /** The nonce of the previous node's release, when it let the session go on request. */
  readonly releaseNonce: string | undefined;
  readonly takerNode: string;
  readonly markNonce: string;
}

/**
 * Picks, from what the bus logged after the session's last recorded position, the broadcasts its
 * client has not had: all of them up to the taker's mark, except those the previous node sent itself
 * before it let the session go — a node writes its own broadcasts to its clients (and their logs)
 * before publishing them, so those are in the replay log already. Call again with the next page
 * until `markedAt` is set.
 */
export function selectMissed(page: readonly BusEnvelope[], parties: CatchUpParties, previous: BusCatchUp & { released: boolean }): BusCatchUp & { released: boolean } {
  const missed = [...previous.missed];
  let released = previous.released;
  for (const envelope of page) {
    if (envelope.topic === ResumeTopic.mark && envelope.from === parties.takerNode && nonceOf(envelope) === parties.markNonce) {
      return { missed, markedAt: envelope.position, released };
    }
    if (envelope.topic === ResumeTopic.released && envelope.from === parties.previousNode && nonceOf(envelope) === parties.releaseNonce) {
      released = true;
    } else if (envelope.topic === ResumeTopic.broadcast && !(envelope.from === parties.previousNode && !released)) {
      missed.push(envelope);
    }
  }
  return { missed, markedAt: undefined, released };
}

/** One broadcast this node delivered to its own clients while a take-over was under way. */
export interface Delivered {
  readonly text: string;
  /** Its bus position when it came from another node; `undefined` for this node's own. */
  readonly position: string | undefined;
}

/**
 * What the taker delivered to its clients from the moment it published its mark until the session
 * joined them, that the bus catch-up does not hold already: its own broadcasts (published after the
 * mark, on the same connection) and other nodes' broadcasts that come after the mark on the bus.
 */
export function deliveredAfterMark(delivered: readonly Delivered[], markedAt: string): Delivered[] {
  return delivered.filter((item) => item.position === undefined || comparePositions(item.position, markedAt) > 0);
}

/** Reads `{ nonce }` out of a resume envelope. */
export function nonceOf(envelope: BusEnvelope): string | undefined {
  return parseFields(envelope.data)['nonce'];
}

/** The string fields of a small JSON object; `{}` for anything else. */
export function parseFields(data: string): Record<string, string | undefined> {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') fields[key] = value;
    return fields;
  } catch {
    return {};
  }
}
