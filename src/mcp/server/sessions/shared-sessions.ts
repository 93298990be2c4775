import { randomInt } from 'node:crypto';
import { Subject, Subscription, type Observable } from 'rxjs';
import { classifyMessage, type JsonObject, type JsonRpcResponse } from '../../../protocol/index.js';
import type { ClusterView, DirectoryEntry, HttpSessionDirectory } from '../../../transport/index.js';
import { deliverResourceUpdated } from '../changes/change-notifications.js';
import { CONNECTION_KEY_PREFIX } from './connection-sessions.js';
import type { McpPeer, McpSession } from './session.js';
import { applyState, snapshotOf, type McpSessionState } from './session-state.js';
import type { McpSessionStore } from './session-store.js';

/** The bus topic of a session ended by a DELETE: `{ "sessionId": "…" }`. */
export const SESSION_ENDED_TOPIC = 'mcp:session_ended';
/** The bus topic of a client's reply to a request of another node: `{ "sessionId": "…", "reply": {…} }`. */
export const CLIENT_REPLY_TOPIC = 'mcp:client_reply';

/**
 * A node numbers a shared session's requests to the client from a random multiple of this (one of
 * 2^20, staying below 2^53): two nodes share a range with a chance of about one in a million.
 */
const ID_RANGE = 2 ** 32;

/** What shared sessions need of the server. */
export interface SharedSessionsHost {
  /** The MCP session of a peer (made on first sight). */
  attach(peer: McpPeer): McpSession;
  report(error: unknown, context: string, sessionId?: string): void;
}

/**
 * Streamable HTTP sessions whose state lives in an {@link McpSessionStore}, so that every node
 * serves every session: the HTTP side's directory (asked before each request, which refreshes the
 * session's time to live), the state put after every change, and read again before a resource
 * update is delivered (a subscription made on another node counts at once).
 */
export class SharedSessions implements HttpSessionDirectory {
  readonly keepAliveMs: number;
  private readonly endedSubject = new Subject<string>();
  readonly ended$: Observable<string> = this.endedSubject.asObservable();
  /** States found for sessions this node is about to take up, until their peer joins. */
  private readonly found = new Map<string, McpSessionState>();
  /** This node's sessions by their `Mcp-Session-Id`. */
  private readonly local = new Map<string, McpSession>();
  private readonly wiring = new Subscription();
  private node: ClusterView | undefined;

  constructor(
    private readonly store: McpSessionStore,
    private readonly ttlMs: number,
    private readonly host: SharedSessionsHost,
  ) {
    // Often enough that a session whose stream is open here never expires between two rounds.
    this.keepAliveMs = Math.max(1, Math.floor(ttlMs / 3));
  }

  /** With a cluster, a DELETE on one node closes the streams other nodes hold. */
  bind(node: ClusterView | undefined): void {
    this.node = node;
    if (!node) return;
    this.wiring.add(
      node.receive(SESSION_ENDED_TOPIC).subscribe((envelope) => {
        const id = sessionIdOf(envelope.data);
        if (id === undefined) this.host.report(new Error(`A malformed ${SESSION_ENDED_TOPIC} from node ${envelope.from}`), 'cluster: receiving');
        else this.endedSubject.next(id);
      }),
    );
    this.wiring.add(node.receive(CLIENT_REPLY_TOPIC).subscribe((envelope) => this.replyArrived(envelope.data)));
  }

  /**
   * A reply of the client that no request of this node waits for: the request may be another
   * node's (sampling, elicitation, roots asked while serving a call there), so it goes on the bus
   * to the node that waits for it. Replies nobody waits for are dropped there, as here.
   */
  forwardReply(session: McpSession, reply: JsonRpcResponse): void {
    const sessionId = session.sharedId;
    if (sessionId === undefined || !this.node) return;
    this.node.publish(CLIENT_REPLY_TOPIC, JSON.stringify({ sessionId, reply })).catch((error: unknown) => {
      this.host.report(error, `cluster: publishing ${CLIENT_REPLY_TOPIC}`, sessionId);
    });
  }

  async find(sessionId: string, principal: string | undefined): Promise<DirectoryEntry | undefined> {
    // A WebSocket session's state is in the same store: no Mcp-Session-Id names it.
    if (sessionId.startsWith(CONNECTION_KEY_PREFIX)) return undefined;
    const state = await this.guard(this.store.get(sessionId, this.ttlMs), 'get', sessionId);
    if (!state) return undefined;
    if (state.owner === principal) {
      const session = this.local.get(sessionId);
      if (session) applyState(session, state);
      else this.found.set(sessionId, state);
    }
    return { owner: state.owner };
  }

  joined(sessionId: string, peer: unknown): void {
    // The server's handle for a peer is its ClientConnection, an McpPeer.
    const mcpPeer = peer as McpPeer;
    const session = this.host.attach(mcpPeer);
    session.sharedId = sessionId;
    // Its own range of request ids on this node: a reply forwarded from another node matches one request at most.
    session.outgoing.numberFrom(randomInt(1, 2 ** 20) * ID_RANGE);
    this.local.set(sessionId, session);
    mcpPeer.closed$.subscribe(() => {
      if (this.local.get(sessionId) === session) this.local.delete(sessionId);
    });
    const state = this.found.get(sessionId);
    this.found.delete(sessionId);
    if (state) applyState(session, state);
  }

  async end(sessionId: string): Promise<void> {
    this.found.delete(sessionId);
    await this.guard(this.store.delete(sessionId), 'delete', sessionId);
    await this.node?.publish(SESSION_ENDED_TOPIC, JSON.stringify({ sessionId })).catch((error: unknown) => {
      // The store no longer has it: other nodes answer 404 on its next request and let go of its stream at their next keep-alive.
      this.host.report(error, `cluster: publishing ${SESSION_ENDED_TOPIC}`, sessionId);
    });
  }

  async keepAlive(sessionIds: readonly string[]): Promise<readonly string[]> {
    const alive = await Promise.all(sessionIds.map((id) => this.guard(this.store.touch(id, this.ttlMs), 'touch', id)));
    return sessionIds.filter((_, index) => !alive[index]);
  }

  /** Stores the session's state after a change; `undefined` for sessions that are not shared (WebSocket, stdio). */
  persist(session: McpSession): Promise<void> | undefined {
    const id = session.sharedId;
    const state = id === undefined ? undefined : snapshotOf(session);
    if (id === undefined || !state) return undefined;
    return this.guard(this.store.put(id, state, this.ttlMs), 'put', id);
  }

  /** Delivers a resource update to a shared session with its latest state: its subscriptions may have changed on another node. */
  deliverResourceUpdated(session: McpSession, uri: string): void {
    const id = session.sharedId;
    if (id === undefined) return;
    this.store
      .get(id)
      .then((state) => {
        if (state) applyState(session, state);
        deliverResourceUpdated(session, uri);
      })
      .catch((error: unknown) => this.host.report(error, `session store: get before resources/updated ${uri}`, id));
  }

  stop(): void {
    this.wiring.unsubscribe();
    this.endedSubject.complete();
  }

  /** A store failure is reported on `errors$` as well as rejected to the caller. */
  private guard<T>(operation: Promise<T>, what: string, sessionId: string): Promise<T> {
    return operation.catch((error: unknown) => {
      this.host.report(error, `session store: ${what}`, sessionId);
      throw error;
    });
  }

  private replyArrived(data: string): void {
    let parsed: { sessionId?: unknown; reply?: unknown };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      parsed = {};
    }
    const { sessionId, reply } = parsed;
    const classified = typeof reply === 'object' && reply !== null ? classifyMessage(reply as JsonObject) : undefined;
    if (typeof sessionId !== 'string' || classified?._tag !== 'Right' || classified.right.kind !== 'response') {
      this.host.report(new Error(`A malformed ${CLIENT_REPLY_TOPIC}`), 'cluster: receiving');
      return;
    }
    this.local.get(sessionId)?.outgoing.accept(classified.right.message);
  }
}

function sessionIdOf(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { sessionId?: unknown };
    return typeof parsed.sessionId === 'string' ? parsed.sessionId : undefined;
  } catch {
    return undefined;
  }
}
