import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import type { CloseInfo } from '../../../transport/index.js';
import type { McpSession } from './session.js';
import { applyState, snapshotOf, type McpSessionState } from './session-state.js';
import type { McpSessionStore } from './session-store.js';

/**
 * What a WebSocket session's key in the store starts with: `ws:<client id>`. The transport gives a
 * session resumed on another node the client id it had (see `Peers.adopt`), so the node it moves
 * to finds it there; the prefix keeps it apart from `Mcp-Session-Id`s (see `SharedSessions.find`).
 */
export const CONNECTION_KEY_PREFIX = 'ws:';

/**
 * How the transport ends a session on the node it left when the client resumed it on another
 * (session-host.ts `letGo`): the session lives on there, so its state stays.
 */
const RESUMED_ELSEWHERE = 'Session resumed on another node';

/** What stored connection sessions need of the server. */
export interface ConnectionSessionsHost {
  report(error: unknown, context: string, sessionId?: string): void;
  /** This node's id in the cluster: the holder written into each state it stores. */
  nodeId(): string | undefined;
}

/**
 * The 2025-11-25 state of WebSocket sessions kept in the {@link McpSessionStore}, so that a client
 * whose transport session resumes on another node finds its MCP session there: put on the same
 * occasions as a Streamable HTTP session's (initialize, initialized, setLevel, subscribe,
 * unsubscribe), its time to live renewed by a periodic touch while the session lives here (dropped
 * and held for resumption included; no store round trip per request), read once by the node a
 * client resumes on, and deleted when the client is gone for good — by the node that holds it
 * only, so that a node cut off from the cluster, letting go late, does not delete a session that
 * lives on elsewhere.
 */
export class ConnectionSessions {
  /** This node's sessions whose state is in the store, by client id. */
  private readonly stored = new Map<string, McpSession>();
  private readonly renewal: Subscription;

  constructor(
    private readonly store: McpSessionStore,
    private readonly ttlMs: number,
    private readonly host: ConnectionSessionsHost,
    scheduler: SchedulerLike,
  ) {
    // Often enough that a live session's state never lapses between two rounds.
    this.renewal = interval(Math.max(1, Math.floor(ttlMs / 3)), scheduler).subscribe(() => this.renew());
  }

  /** Stores the state after a change. Never rejects: a failure is reported, the session goes on here. */
  async persist(session: McpSession): Promise<void> {
    const state = this.stateOf(session);
    if (!state) return;
    this.stored.set(session.id, session);
    await this.store.put(keyOf(session.id), state, this.ttlMs).catch((error: unknown) => this.host.report(error, 'session store: put', session.id));
  }

  /**
   * A session resumed here from another node: takes up its stored state (when its owner is the
   * connection's principal), and marks it held here. A session without one stays new: its client
   * is answered "before initialize" until it initializes again.
   */
  async adopt(session: McpSession): Promise<void> {
    let state: McpSessionState | undefined;
    try {
      state = await this.store.get(keyOf(session.id), this.ttlMs);
    } catch (error) {
      this.host.report(error, 'session store: get for a resumed session', session.id);
      return;
    }
    if (!state || state.owner !== session.authInfo?.clientId) return;
    applyState(session, state);
    await this.persist(session);
  }

  /** The session ended here; its state is deleted unless it lives on (resumed on another node). */
  ended(session: McpSession, info: CloseInfo): void {
    if (this.stored.get(session.id) !== session) return;
    this.stored.delete(session.id);
    if (info.reason === RESUMED_ELSEWHERE) return;
    const key = keyOf(session.id);
    const holder = this.host.nodeId();
    const deleted = holder !== undefined && this.store.deleteIfHeld ? this.store.deleteIfHeld(key, holder) : this.store.delete(key);
    deleted.catch((error: unknown) => this.host.report(error, 'session store: delete', session.id));
  }

  stop(): void {
    this.renewal.unsubscribe();
  }

  /** Renews every stored state; one the store lost (Redis restarted empty) is put again. */
  private renew(): void {
    for (const [id, session] of this.stored) {
      this.store
        .touch(keyOf(id), this.ttlMs)
        .then((present) => (present ? undefined : this.persist(session)))
        .catch((error: unknown) => this.host.report(error, 'session store: touch', id));
    }
  }

  private stateOf(session: McpSession): McpSessionState | undefined {
    const state = snapshotOf(session);
    const holder = this.host.nodeId();
    return state && holder !== undefined ? { ...state, holder } : state;
  }
}

function keyOf(clientId: string): string {
  return `${CONNECTION_KEY_PREFIX}${clientId}`;
}
