import type { ReplayEntry } from './replay-log.js';

/** Where a session is: on a live connection of its node, or held there for its client to come back. */
export type SessionState = 'attached' | 'held';

/** A session as every node of a cluster can see it. */
export interface SessionRecord {
  /** The key of its replay log: stable, never sent to the client. */
  readonly id: string;
  /** The client id it keeps on whichever node resumes it. */
  readonly clientId: string;
  /** The principal that opened it (`authInfo.clientId`); `undefined` on servers without `authenticate`. */
  readonly owner: string | undefined;
  /** The node that holds it and logs what it sends. */
  readonly nodeId: string;
  readonly state: SessionState;
  /** Frames sent in the session so far: the seq of the last one logged. */
  readonly sent: number;
  /**
   * The bus position of the last broadcast from another node that it logged; before any, the last
   * position its node had read when it opened; `undefined` when unknown (a bus without positions).
   * A node taking the session over reads the bus from here.
   */
  readonly position: string | undefined;
  /** The directory's epoch when the session was recorded (see {@link SessionLookup}). */
  readonly epoch: string;
}

/** A session as its node first records it. */
export interface NewSession {
  readonly id: string;
  readonly clientId: string;
  readonly owner: string | undefined;
  readonly nodeId: string;
  /** The last bus position the node had delivered when the session opened, if it knows one. */
  readonly position: string | undefined;
}

/** What a token names. */
export type SessionLookup =
  | { readonly kind: 'found'; readonly record: SessionRecord }
  /** Spent, forgotten, expired with its TTL, or never issued. */
  | { readonly kind: 'unknown' }
  /** Recorded under an epoch that is gone (the store lost its data): what was logged may be missing. */
  | { readonly kind: 'expired'; readonly reason: string };

/**
 * Who holds which session, shared by the nodes of a cluster so that a client whose node died can
 * resume on another. Tokens are single-use across every node: {@link claim} spends one atomically.
 * `ttlMs` arguments bound how long a record outlives the last node that renewed it.
 */
export interface SessionDirectory {
  /** Records a session opened on `session.nodeId`, resumable with `token`. */
  open(session: NewSession, token: string, ttlMs: number): Promise<void>;
  /** The session `token` names now; reads only (a refused resume leaves the token as it was). */
  lookup(token: string): Promise<SessionLookup>;
  /**
   * Spends `token` if it still names `sessionId`, stores `next` as its successor, and makes the
   * session held by `nodeId`. Resolves the record as it stood at that moment, or `undefined` when the
   * token was spent already (another resume won).
   */
  claim(token: string, sessionId: string, next: string, nodeId: string, ttlMs: number): Promise<SessionRecord | undefined>;
  /** The session's node saw its client leave (`held`) or come back (`attached`). */
  mark(sessionId: string, state: SessionState, ttlMs: number): Promise<void>;
  /** Renews the records of sessions a live node still holds. */
  touch(sessionIds: readonly string[], ttlMs: number): Promise<void>;
  /**
   * The session ended for good on `nodeId`: its record, token and log go — unless another node holds
   * it now (a node that was cut off must not end a session that moved on without it).
   */
  forget(sessionId: string, nodeId: string): Promise<void>;
}

/**
 * The replay logs of a cluster's sessions, readable from any node: a node writes each frame it sends
 * to a session's client, and the node that takes the session over reads what its client missed.
 */
export interface SharedReplayStore {
  /**
   * Logs frame `entry.seq` of a session held by `nodeId`, with the bus position of the broadcast it
   * carries when it came from another node. Resolves `appended`, `moved` (another node holds the
   * session now: the writer should let it go) or `missing` (no record: forgotten, or the store lost it).
   */
  append(sessionId: string, nodeId: string, entry: ReplayEntry, position: string | undefined): Promise<AppendResult>;
  /**
   * The frames `after + 1 … upTo`, in order, or `undefined` when the log no longer holds them all
   * (trimmed by its bounds, aged out, lost): a gap the client must be told about.
   */
  since(sessionId: string, after: number, upTo: number, now: number): Promise<readonly ReplayEntry[] | undefined>;
}

/** What became of a frame appended to a shared log (see {@link SharedReplayStore.append}). */
export type AppendResult = 'appended' | 'moved' | 'missing';

/** What the nodes of a cluster share so that any of them can resume any session (`resume.shared`). */
export interface SharedSessions {
  readonly directory: SessionDirectory;
  readonly log: SharedReplayStore;
}
