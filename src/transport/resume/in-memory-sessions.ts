import { randomBytes } from 'node:crypto';
import { InMemoryReplayStore, type ReplayEntry, type ReplayLimits } from './replay-log.js';
import type {
  AppendResult,
  NewSession,
  SessionDirectory,
  SessionLookup,
  SessionRecord,
  SessionState,
  SharedReplayStore,
  SharedSessions,
} from './session-directory.js';

interface Held {
  record: SessionRecord;
  token: string;
  expiresAt: number;
}

/**
 * {@link SharedSessions} for the servers of one process (a `LocalCluster`): the session directory
 * and the replay logs in memory, shared by every server given the same instance. What `nexus-mcp/redis`
 * does across processes, with the same rules: single-use tokens, records that lapse after their TTL,
 * and an epoch (see {@link loseEverything}).
 */
export class InMemorySharedSessions implements SharedSessions, SessionDirectory, SharedReplayStore {
  private readonly byId = new Map<string, Held>();
  private readonly byToken = new Map<string, string>();
  private readonly logs: InMemoryReplayStore;
  private epoch = newEpoch();
  readonly directory: SessionDirectory = this;
  readonly log: SharedReplayStore = this;

  constructor(
    limits: ReplayLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.logs = new InMemoryReplayStore(limits);
  }

  /** Forgets every session and starts a new epoch, as a Redis that restarted empty would. */
  loseEverything(): void {
    this.byId.clear();
    this.byToken.clear();
    this.epoch = newEpoch();
  }

  open(session: NewSession, token: string, ttlMs: number): Promise<void> {
    const record: SessionRecord = { ...session, state: 'attached', sent: 0, epoch: this.epoch };
    this.byId.set(session.id, { record, token, expiresAt: this.now() + ttlMs });
    this.byToken.set(token, session.id);
    return Promise.resolve();
  }

  lookup(token: string): Promise<SessionLookup> {
    const held = this.heldBy(token);
    if (!held) return Promise.resolve({ kind: 'unknown' });
    if (held.record.epoch !== this.epoch) return Promise.resolve({ kind: 'expired', reason: 'Session expired: the session store lost its data' });
    return Promise.resolve({ kind: 'found', record: held.record });
  }

  claim(token: string, sessionId: string, next: string, nodeId: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const held = this.heldBy(token);
    if (held?.record.id !== sessionId) return Promise.resolve(undefined);
    const claimed = held.record;
    this.byToken.delete(token);
    this.byToken.set(next, sessionId);
    held.token = next;
    held.record = { ...claimed, nodeId, state: 'held' };
    held.expiresAt = this.now() + ttlMs;
    return Promise.resolve(claimed);
  }

  mark(sessionId: string, state: SessionState, ttlMs: number): Promise<void> {
    const held = this.byId.get(sessionId);
    if (held) {
      held.record = { ...held.record, state };
      held.expiresAt = this.now() + ttlMs;
    }
    return Promise.resolve();
  }

  touch(sessionIds: readonly string[], ttlMs: number): Promise<void> {
    for (const id of sessionIds) {
      const held = this.byId.get(id);
      if (held) held.expiresAt = this.now() + ttlMs;
    }
    return Promise.resolve();
  }

  forget(sessionId: string, nodeId: string): Promise<void> {
    const held = this.byId.get(sessionId);
    if (held?.record.nodeId !== nodeId) return Promise.resolve();
    this.byId.delete(sessionId);
    this.byToken.delete(held.token);
    this.logs.delete(sessionId);
    return Promise.resolve();
  }

  append(sessionId: string, nodeId: string, entry: ReplayEntry, position: string | undefined): Promise<AppendResult> {
    const held = this.byId.get(sessionId);
    if (!held) return Promise.resolve('missing');
    if (held.record.nodeId !== nodeId) return Promise.resolve('moved');
    this.logs.append(sessionId, entry);
    held.record = { ...held.record, sent: entry.seq, position: position ?? held.record.position };
    return Promise.resolve('appended');
  }

  since(sessionId: string, after: number, upTo: number, now: number): Promise<readonly ReplayEntry[] | undefined> {
    if (after >= upTo) return Promise.resolve(after === upTo ? [] : undefined);
    const entries = this.logs.since(sessionId, after, now)?.filter((entry) => entry.seq <= upTo);
    return Promise.resolve(entries?.length === upTo - after ? entries : undefined);
  }

  /** The record of a session, by its id: for tests and metrics. */
  record(sessionId: string): SessionRecord | undefined {
    return this.byId.get(sessionId)?.record;
  }

  /** Sessions recorded: for tests. */
  get size(): number {
    return this.byId.size;
  }

  private heldBy(token: string): Held | undefined {
    const id = this.byToken.get(token);
    const held = id === undefined ? undefined : this.byId.get(id);
    if (held && held.expiresAt <= this.now()) {
      void this.forget(held.record.id, held.record.nodeId);
      return undefined;
    }
    return held;
  }
}

function newEpoch(): string {
  return randomBytes(8).toString('hex');
}
