import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { SessionFrame } from '../../protocol/session-frame.js';
import type { ReplayEntry, ReplayLimits, ReplayStore } from './replay-log.js';
import type { SharedSessions } from './session-directory.js';

/** Session resumption settings of the server. */
export interface ResumeOptions extends Partial<ReplayLimits> {
  /** How long a dropped client's session waits for it to come back, ms. Default 30000. */
  readonly windowMs?: number;
  /**
   * A resume that names a session whose old socket still looks open: how long the server waits for
   * that socket to answer a ping, ms. An answer means the session is live elsewhere and the resume is
   * refused; silence means the old socket is a dead connection the server has not noticed yet, and
   * the session moves to the new socket. Default 2000.
   */
  readonly liveCheckMs?: number;
  /** Where sessions keep the frames they sent. Default: an in-memory store with the limits above. */
  readonly store?: ReplayStore;
  /**
   * The session directory and replay logs the nodes of a cluster share, so that a client whose node
   * died resumes on another (with the server's `cluster`): `redisSessions(…)` from `nexus-mcp/redis`,
   * or an `InMemorySharedSessions` for servers in one process. Each session is still kept in `store`
   * too, for resumes on its own node. Default none: sessions resume only on the node that opened them.
   */
  readonly shared?: SharedSessions;
}

export const DEFAULT_RESUME: Required<Omit<ResumeOptions, 'store' | 'shared'>> = {
  windowMs: 30_000,
  liveCheckMs: 2000,
  maxMessages: 1000,
  maxBytes: 256 * 1024,
  maxAgeMs: 30_000,
};

/** 128 random bits, as 32 hex digits. */
export function newSessionToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The server's side of one resumable session: numbers every frame sent to the client and keeps it
 * in the replay store, so that a client coming back after a drop gets what it missed, in order,
 * exactly once. The client counts the frames it received; the difference is the replay.
 *
 * The token that resumes it is a bearer credential, so it is single-use: every resume consumes it
 * and the client is given the next one. The store is keyed by `id`, which never leaves the server.
 */
export class ResumableSession {
  /** Frames sent in this session (the seq of the last one). */
  private sent: number;
  private currentToken: string;
  /** While the client is away: the timer that ends the session when the window passes. */
  expiry: Subscription | undefined;
  /** Copies each logged frame to the shared log, while the session is shared (see `resume.shared`). */
  mirror: SessionMirror | undefined;
  /** The last copy to the shared log, settled: what a node letting the session go waits for. */
  mirrored: Promise<unknown> = Promise.resolve();
  /** Another node holds the session now: ending it here must not end it there. */
  movedAway = false;

  constructor(
    /** The store's key for this session: stable, never sent. */
    readonly id: string,
    /** Who opened it (`authInfo.clientId`); `undefined` on a server without `authenticate`. Only they may resume it. */
    readonly owner: string | undefined,
    private readonly store: ReplayStore,
    private readonly now: () => number,
    /** Where a session taken over from another node stands: frames sent there, and the token already issued. */
    continued: { readonly sent: number; readonly token: string } = { sent: 0, token: newSessionToken() },
  ) {
    this.sent = continued.sent;
    this.currentToken = continued.token;
  }

  /** The token that resumes this session next. */
  get token(): string {
    return this.currentToken;
  }

  /** Consumes the current token; returns the one that replaces it (`next`, when one was issued already). */
  rotate(next: string = newSessionToken()): string {
    this.currentToken = next;
    return this.currentToken;
  }

  /**
   * Logs one frame sent to the client; `bytes` is its UTF-8 length, when the caller already knows it;
   * `position`, the bus position of a broadcast it carries from another node.
   */
  record(data: string, bytes = Buffer.byteLength(data), position?: string): void {
    this.sent += 1;
    const entry = { seq: this.sent, data, bytes, at: this.now() };
    this.store.append(this.id, entry);
    this.mirror?.(this, entry, position);
  }

  /** The frames after the `received`-th, or `undefined` if the store no longer has them all. */
  missedSince(received: number): readonly ReplayEntry[] | undefined {
    if (received > this.sent) return undefined;
    // A session taken over from another node may have nothing in this node's store yet.
    if (received === this.sent) return [];
    return this.store.since(this.id, received, this.now());
  }

  /** Puts frames logged on another node into this node's store, so that a later resume here reaches back to them. */
  adoptLog(entries: readonly ReplayEntry[]): void {
    for (const entry of entries) this.store.append(this.id, entry);
  }

  forget(): void {
    this.expiry?.unsubscribe();
    this.store.delete(this.id);
  }

  frame(resumed: boolean, extra: Partial<SessionFrame> = {}): SessionFrame {
    return { type: 'nexus/session', session: this.currentToken, resumed, ...extra };
  }
}

/** Copies one logged frame of `session` to the shared log. */
export type SessionMirror = (session: ResumableSession, entry: ReplayEntry, position: string | undefined) => void;
