import { decodeSessionFrame } from '../../protocol/session-frame.js';
import { carrySessionRequest } from '../resume/session-request.js';
import type { ConnectParams } from './client-socket.js';

/** What the server said about the session when a connection opened. */
export interface SessionOutcome {
  /** The previous session continues; `replayed` missed frames follow. */
  readonly resumed: boolean;
  readonly replayed: number;
  /** A resume was asked for and refused: messages sent while away were lost. */
  readonly expired: boolean;
}

/**
 * The client's side of session resumption: asks for a session on each connection attempt (a new
 * one, or the current token and the count of frames received), reads the server's session frame,
 * and counts frames. Stops asking a server that shows it offers no sessions.
 */
export class ClientSession {
  private asking: boolean;
  private token: string | undefined;
  /** Frames received in the current session: what the server counts from when it replays. */
  private received = 0;
  private awaitingFrame = false;

  constructor(wanted: boolean) {
    this.asking = wanted;
  }

  /** One connection attempt's URL, subprotocols and socket options, carrying the session request when there is one. */
  attempt(uri: string, base: Omit<ConnectParams, 'url'>, canSetHeaders: boolean): ConnectParams {
    if (!this.asking) return { ...base, url: uri };
    const { protocols, socketOptions } = base;
    const offered = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols;
    const carried = carrySessionRequest(uri, offered, canSetHeaders, this.token, this.received);
    const headers = carried.headers && { ...(socketOptions as { headers?: Record<string, string> }).headers, ...carried.headers };
    return { ...base, url: carried.url, protocols: carried.protocols, socketOptions: headers ? { ...socketOptions, headers } : socketOptions };
  }

  /** A connection opened: its first frame is the session frame, if the server offers sessions. */
  opened(): void {
    this.awaitingFrame = this.asking;
  }

  /**
   * One incoming frame. Returns the session outcome when it was the session frame (the caller
   * then drops it), or `undefined` for any other frame, which it counts.
   */
  take(data: unknown): (SessionOutcome & { readonly reason?: string }) | undefined {
    if (this.awaitingFrame) {
      this.awaitingFrame = false;
      const frame = typeof data === 'string' ? decodeSessionFrame(data) : undefined;
      if (frame) {
        // Single use: the frame brings the token to resume with next time.
        this.token = frame.session;
        // On a resume, the replay follows and is counted like any frame; a fresh session counts from zero.
        if (!frame.resumed) this.received = 0;
        const expired = !frame.resumed && frame.expired === true;
        const outcome = { resumed: frame.resumed, replayed: frame.resumed ? (frame.replayed ?? 0) : 0, expired };
        return frame.reason === undefined ? outcome : { ...outcome, reason: frame.reason };
      }
      // A server without sessions answered with something else: stop asking it.
      this.asking = false;
    }
    this.received += 1;
    return undefined;
  }
}
