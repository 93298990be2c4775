import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { SESSION_QUERY_PARAMETER, type SessionFrame } from '../protocol/session-frame.js';
import type { ReplayEntry, ReplayLimits, ReplayStore } from './replay-log.js';

/** Session resumption settings of the server. */
export interface ResumeOptions extends Partial<ReplayLimits> {
  /** How long a dropped client's session waits for it to come back, ms. Default 30000. */
  readonly windowMs?: number;
  /** Where sessions keep the frames they sent. Default: an in-memory store with the limits above. */
  readonly store?: ReplayStore;
}

export const DEFAULT_RESUME: Required<Omit<ResumeOptions, 'store'>> = {
  windowMs: 30_000,
  maxMessages: 1000,
  maxBytes: 256 * 1024,
  maxAgeMs: 30_000,
};

/** What the client asked for on its upgrade URL. */
export type SessionRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'new' }
  | { readonly kind: 'resume'; readonly token: string; readonly received: number };

/** Reads `?nexus_session=new` or `?nexus_session=<token>:<frames received>` from an upgrade URL. */
export function sessionRequestOf(url: string | undefined): SessionRequest {
  const query = url?.includes('?') === true ? new URLSearchParams(url.slice(url.indexOf('?') + 1)) : undefined;
  const value = query?.get(SESSION_QUERY_PARAMETER);
  if (value === null || value === undefined) return { kind: 'none' };
  if (value === 'new') return { kind: 'new' };
  const match = /^([0-9a-f]{32}):(\d{1,15})$/.exec(value);
  if (!match) return { kind: 'new' };
  return { kind: 'resume', token: match[1] as string, received: Number(match[2]) };
}

/**
 * The server's side of one resumable session: numbers every frame sent to the client and keeps it
 * in the replay store, so that a client coming back after a drop gets what it missed, in order,
 * exactly once. The client counts the frames it received; the difference is the replay.
 */
export class ResumableSession {
  /** Frames sent in this session (the seq of the last one). */
  private sent = 0;
  /** While the client is away: the timer that ends the session when the window passes. */
  expiry: Subscription | undefined;

  constructor(
    readonly token: string,
    private readonly store: ReplayStore,
    private readonly now: () => number,
  ) {}

  static newToken(): string {
    return randomBytes(16).toString('hex');
  }

  record(data: string): void {
    this.sent += 1;
    this.store.append(this.token, { seq: this.sent, data, bytes: Buffer.byteLength(data), at: this.now() });
  }

  /** The frames after the `received`-th, or `undefined` if the store no longer has them all. */
  missedSince(received: number): readonly ReplayEntry[] | undefined {
    if (received > this.sent) return undefined;
    return this.store.since(this.token, received, this.now());
  }

  forget(): void {
    this.expiry?.unsubscribe();
    this.store.delete(this.token);
  }

  frame(resumed: boolean, extra: Partial<SessionFrame> = {}): SessionFrame {
    return { type: 'nexus/session', session: this.token, resumed, ...extra };
  }
}
