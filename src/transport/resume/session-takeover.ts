import { filter, firstValueFrom, map, merge, Subject, takeUntil, timer, type SchedulerLike } from 'rxjs';
import type { BusEnvelope, ClusterBus } from '../cluster/cluster-bus.js';
import { ClusterError, type TransportError } from '../errors.js';
import type { AuthInfo } from '../security/authenticate.js';
import type { ClusterView } from '../server/cluster-link.js';
import { nonceOf, ResumeTopic, selectMissed, type BusCatchUp, type CatchUpParties, type Delivered } from './catch-up.js';
import { expired, liveRefusal, principalRefusal, UNKNOWN_SESSION, type ResumeVerdict } from './resume-verdicts.js';
import type { SessionRecord, SharedSessions } from './session-directory.js';
import type { SessionRequest } from './session-request.js';
import { newSessionToken } from './session-resumption.js';

/** A node's cluster, as cross-node resumption uses it: topics, and the bus's log when it keeps one. */
export interface ResumeCluster {
  readonly view: ClusterView;
  readonly readSince: ((position: string) => Promise<readonly BusEnvelope[] | undefined>) | undefined;
  /**
   * The position of the last envelope this node read from the bus's log (what it delivered up to),
   * for a bus that tells (`RedisBus.lastPosition`): where a session opened now starts on the bus.
   */
  readonly position: () => string | undefined;
}

/** A {@link ResumeCluster} from a node's view of its cluster and its bus. */
export function resumeClusterOf(view: ClusterView, bus: ClusterBus): ResumeCluster {
  const positioned = bus as ClusterBus & { readonly lastPosition?: string };
  return {
    view,
    readSince: bus.readSince?.bind(bus),
    position: () => positioned.lastPosition,
  };
}

export interface TakeoverSettings {
  readonly liveCheckMs: number;
  /** How long records live without renewal, ms. */
  readonly ttlMs: number;
  readonly shared: SharedSessions;
  readonly scheduler: SchedulerLike;
  readonly report: (error: TransportError) => void;
}

/** Most pages of the bus's log a catch-up reads before giving up on finding its own mark. */
const MAX_PAGES = 1000;

type OwnerAnswer = 'live' | 'released' | 'silent' | 'gone';
const GONE: OwnerAnswer = 'gone';

/**
 * The side of a node that takes over a session another node held: reads the shared directory,
 * lets the session's node live-check its link (and let go), spends the token, reads the replay log
 * from the client's own offset, and the bus's log for the broadcasts nobody logged meanwhile.
 * Everything here happens before the connection is accepted; the verdict goes with the arrival.
 */
export class SessionTakeover {
  /** What this node delivers to its clients while take-overs are under way. */
  private readonly taps = new Set<Delivered[]>();

  constructor(
    private readonly settings: TakeoverSettings,
    private readonly cluster: ResumeCluster,
  ) {}

  private get nodeId(): string {
    return this.cluster.view.nodeId;
  }

  /** A broadcast this node just delivered to its clients (its own, or another node's with its position). */
  delivered(item: Delivered): void {
    for (const tap of this.taps) tap.push(item);
  }

  /** Judges a resume naming a session this node does not hold. Never rejects. */
  async vet(request: SessionRequest & { readonly kind: 'resume' }, authInfo: AuthInfo | undefined): Promise<ResumeVerdict> {
    try {
      return await this.takeOver(request, authInfo);
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      this.settings.report(new ClusterError(`Could not resume a session from another node: ${cause.message}`, { cause }));
      return expired('Session expired: the shared session store could not be read');
    }
  }

  private async takeOver(request: SessionRequest & { readonly kind: 'resume' }, authInfo: AuthInfo | undefined): Promise<ResumeVerdict> {
    const { directory, log } = this.settings.shared;
    const found = await directory.lookup(request.token);
    if (found.kind === 'unknown') return expired(UNKNOWN_SESSION);
    if (found.kind === 'expired') return expired(found.reason);
    const { record } = found;
    if (record.owner !== authInfo?.clientId) return principalRefusal(record.clientId, authInfo);
    const readSince = this.cluster.readSince;
    if (!readSince) return expired('Session expired: it was held by another node, and the cluster bus keeps no log to catch up from');
    const askNonce = newSessionToken();
    const answer: OwnerAnswer = record.nodeId === this.nodeId ? 'gone' : await this.askOwner(record, askNonce);
    if (answer === 'live') return liveRefusal(record.clientId);
    const next = newSessionToken();
    const claimed = await directory.claim(request.token, record.id, next, this.nodeId, this.settings.ttlMs);
    if (!claimed) return expired(UNKNOWN_SESSION);
    if (answer === 'silent') this.tellToDrop(claimed);
    const replay = request.received > claimed.sent ? undefined : await log.since(record.id, request.received, claimed.sent, this.settings.scheduler.now());
    if (!replay) return this.abandon(claimed, 'Session expired: more was sent while away than the replay log keeps');
    if (claimed.position === undefined) return this.abandon(claimed, 'Session expired: its place on the cluster bus is unknown');
    const parties: CatchUpParties = {
      previousNode: claimed.nodeId,
      releaseNonce: answer === 'released' ? askNonce : undefined,
      takerNode: this.nodeId,
      markNonce: newSessionToken(),
    };
    // From the mark's publish on, what this node delivers is collected: the bus read stops at the mark.
    const tap: Delivered[] = [];
    this.taps.add(tap);
    const stopTap = (): readonly Delivered[] => {
      this.taps.delete(tap);
      return tap;
    };
    try {
      await this.cluster.view.publish(ResumeTopic.mark, JSON.stringify({ nonce: parties.markNonce }));
      const caughtUp = await this.readBus(readSince, claimed.position, parties);
      if (caughtUp?.markedAt === undefined) {
        stopTap();
        return await this.abandon(claimed, 'Session expired: the cluster bus no longer holds what was published while it moved');
      }
      return { kind: 'takeover', record: claimed, token: next, replay, missed: caughtUp.missed, markedAt: caughtUp.markedAt, stopTap };
    } catch (error) {
      stopTap();
      await directory.forget(claimed.id, this.nodeId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Asks the session's node to live-check its link: `live` if the link answered, `released` once the
   * node let the session go (its log complete), `silent` if it did not answer in time, `gone` if the
   * bus says no such node is there.
   */
  private async askOwner(record: SessionRecord, nonce: string): Promise<OwnerAnswer> {
    const { view } = this.cluster;
    const done = new Subject<void>();
    const mine = (envelope: BusEnvelope): boolean => envelope.from === record.nodeId && nonceOf(envelope) === nonce;
    // Listening before asking: the answer may come back at once.
    const answer = firstValueFrom(
      merge(
        view.receive(ResumeTopic.live).pipe(filter(mine), map((): OwnerAnswer => 'live')),
        view.receive(ResumeTopic.released).pipe(filter(mine), map((): OwnerAnswer => 'released')),
        // The node pings for up to liveCheckMs; the rest is the bus's way there and back.
        timer(2 * this.settings.liveCheckMs, this.settings.scheduler).pipe(map((): OwnerAnswer => 'silent')),
      ).pipe(takeUntil(done)),
      { defaultValue: GONE },
    );
    const reached = await view.sendToNode(record.nodeId, ResumeTopic.check, JSON.stringify({ sessionId: record.id, nonce })).catch(() => false);
    if (!reached) {
      done.next();
      return 'gone';
    }
    return answer;
  }

  /** Reads the bus's log from the session's position up to this node's mark, page by page. */
  private async readBus(
    readSince: (position: string) => Promise<readonly BusEnvelope[] | undefined>,
    from: string,
    parties: CatchUpParties,
  ): Promise<BusCatchUp | undefined> {
    let state = { missed: [] as readonly BusEnvelope[], markedAt: undefined as string | undefined, released: false };
    let position = from;
    for (let page = 0; page < MAX_PAGES; page++) {
      const envelopes = await readSince(position);
      if (!envelopes) return undefined;
      state = selectMissed(envelopes, parties, state);
      const last = envelopes[envelopes.length - 1];
      if (state.markedAt !== undefined || last?.position === undefined) return state;
      position = last.position;
    }
    return state;
  }

  /** A silent node may still think it holds the session: tell it to let go quietly (best effort). */
  private tellToDrop(record: SessionRecord): void {
    this.cluster.view.sendToNode(record.nodeId, ResumeTopic.drop, JSON.stringify({ sessionId: record.id })).catch(() => undefined);
  }

  /** The token is spent and the session cannot be resumed: it ends everywhere. */
  private async abandon(record: SessionRecord, reason: string): Promise<ResumeVerdict> {
    await this.settings.shared.directory.forget(record.id, this.nodeId);
    return expired(reason);
  }
}
