import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { SessionFrame } from '../../protocol/session-frame.js';
import type { ReplayEntry, ReplayLimits, ReplayStore } from './replay-log.js';

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
}

export const DEFAULT_RESUME: Required<Omit<ResumeOptions, 'store'>> = {
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
  private sent = 0;
  private currentToken = newSessionToken();
  /** While the client is away: the timer that ends the session when the window passes. */
  expiry: Subscription | undefined;

  constructor(
    /** The store's key for this session: stable, never sent. */
    readonly id: string,
    /** Who opened it (`authInfo.clientId`); `undefined` on a server without `authenticate`. Only they may resume it. */
    readonly owner: string | undefined,
    private readonly store: ReplayStore,
    private readonly now: () => number,
  ) {}

  /** The token that resumes this session next. */
  get token(): string {
    return this.currentToken;
  }

  /** Consumes the current token; returns the one that replaces it. */
  rotate(): string {
    this.currentToken = newSessionToken();
    return this.currentToken;
  }

  /** Logs one frame sent to the client; `bytes` is its UTF-8 length, when the caller already knows it. */
  record(data: string, bytes = Buffer.byteLength(data)): void {
    this.sent += 1;
    this.store.append(this.id, { seq: this.sent, data, bytes, at: this.now() });
  }

  /** The frames after the `received`-th, or `undefined` if the store no longer has them all. */
  missedSince(received: number): readonly ReplayEntry[] | undefined {
    if (received > this.sent) return undefined;
    return this.store.since(this.id, received, this.now());
  }

  forget(): void {
    this.expiry?.unsubscribe();
    this.store.delete(this.id);
  }

  frame(resumed: boolean, extra: Partial<SessionFrame> = {}): SessionFrame {
    return { type: 'nexus/session', session: this.currentToken, resumed, ...extra };
  }
}
