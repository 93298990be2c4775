import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { McpSessionState } from './session-state.js';

/**
 * Where the state of 2025-11-25 sessions is kept, so that every node behind one address can serve
 * every session: the node that answers `initialize` puts it, any node gets it before serving a
 * request (which refreshes its time to live), changes (`logging/setLevel`, `resources/subscribe`)
 * put it again, and a DELETE deletes it. An entry not used for `ttlMs` is gone: its session is
 * answered 404. `InMemoryMcpSessionStore` serves the servers of one process; `RedisMcpSessionStore`
 * (`nexus-mcp/redis`) the nodes of a cluster.
 */
export interface McpSessionStore {
  /** The session's state, or `undefined` when there is none (never was, deleted, expired). `refreshTtlMs`: it lives that long from now. */
  get(sessionId: string, refreshTtlMs?: number): Promise<McpSessionState | undefined>;
  /** Stores the session's state; it lives `ttlMs` from now. */
  put(sessionId: string, state: McpSessionState, ttlMs: number): Promise<void>;
  /** It lives `ttlMs` from now; resolves whether it was there. */
  touch(sessionId: string, ttlMs: number): Promise<boolean>;
  /** Forgets the session (a DELETE, or its end): every node answers 404 for it from now on. */
  delete(sessionId: string): Promise<void>;
  /**
   * Deletes the session's state only if its `holder` is `holder`, atomically: a node that lost a
   * WebSocket session to another (and did not hear of it) does not delete it there. Without it,
   * `delete` is used.
   */
  deleteIfHeld?(sessionId: string, holder: string): Promise<void>;
}

interface Entry {
  readonly json: string;
  expiresAt: number;
}

/**
 * An {@link McpSessionStore} in this process's memory. Give the same instance to several MCPServers
 * of one process (nodes of a `LocalCluster`) and each serves the others' sessions. Entries are kept
 * as JSON, as a shared store would, so nothing is shared by reference; expired ones are dropped
 * when next looked at.
 */
export class InMemoryMcpSessionStore implements McpSessionStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  /** How many sessions it holds now (expired ones not counted). */
  get size(): number {
    for (const id of [...this.entries.keys()]) this.live(id);
    return this.entries.size;
  }

  get(sessionId: string, refreshTtlMs?: number): Promise<McpSessionState | undefined> {
    const entry = this.live(sessionId);
    if (entry && refreshTtlMs !== undefined) entry.expiresAt = this.scheduler.now() + refreshTtlMs;
    return Promise.resolve(entry && (JSON.parse(entry.json) as McpSessionState));
  }

  put(sessionId: string, state: McpSessionState, ttlMs: number): Promise<void> {
    this.entries.set(sessionId, { json: JSON.stringify(state), expiresAt: this.scheduler.now() + ttlMs });
    return Promise.resolve();
  }

  touch(sessionId: string, ttlMs: number): Promise<boolean> {
    const entry = this.live(sessionId);
    if (entry) entry.expiresAt = this.scheduler.now() + ttlMs;
    return Promise.resolve(entry !== undefined);
  }

  /** Forgets the session. */
  delete(sessionId: string): Promise<void> {
    this.entries.delete(sessionId);
    return Promise.resolve();
  }

  deleteIfHeld(sessionId: string, holder: string): Promise<void> {
    const entry = this.live(sessionId);
    if (entry && (JSON.parse(entry.json) as McpSessionState).holder === holder) this.entries.delete(sessionId);
    return Promise.resolve();
  }

  private live(sessionId: string): Entry | undefined {
    const entry = this.entries.get(sessionId);
    if (entry && entry.expiresAt <= this.scheduler.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }
}
