import type { Observable } from 'rxjs';

/** A session the directory knows: who opened it (only they may use it). */
export interface DirectoryEntry {
  readonly owner: string | undefined;
}

/**
 * Where a protocol's HTTP sessions live beyond one node (a store the nodes share), so that any
 * node behind a balancer without stickiness serves any session. With one, the HTTP side asks it
 * before every request that names a session — the answer refreshes the session's time to live —
 * and takes up a session another node opened as a peer of its own; a DELETE on any node ends the
 * session everywhere. Without one, a session lives on the node that opened it.
 *
 * What a node writes for no request (notifications on the session's GET stream) goes out only on a
 * GET stream this node holds, or held: the node holding the stream delivers, others drop it, so
 * the client hears it once.
 */
export interface HttpSessionDirectory {
  /**
   * Before a request naming `sessionId`, by `principal`: the session when it is live (this
   * refreshes it), `undefined` when it is unknown, expired or ended (404). The edge serves it only
   * to its owner (someone else's session is answered 404 too). Rejects when the directory cannot
   * be reached (503).
   */
  find(sessionId: string, principal: string | undefined): Promise<DirectoryEntry | undefined>;
  /** A DELETE on this node: the session ends everywhere. Rejects when the directory cannot be reached (503). */
  end(sessionId: string): Promise<void>;
  /** Sessions ended on other nodes: this node lets go of its part (hot). */
  readonly ended$: Observable<string>;
  /** How often the sessions with a GET stream open on this node are kept alive (`keepAlive`), ms. */
  readonly keepAliveMs: number;
  /**
   * A peer for session `sessionId` joined this node: the one that opened it, or one taking up a
   * session another node opened (right after `find`). `peer` is the server's handle for it.
   */
  joined(sessionId: string, peer: unknown): void;
  /**
   * Sessions with a GET stream open on this node: they are in use, though no request comes.
   * Resolves the ids among them that are gone (ended or expired): this node lets go of them.
   */
  keepAlive(sessionIds: readonly string[]): Promise<readonly string[]>;
}
