import * as E from 'fp-ts/lib/Either.js';
import { timer, type SchedulerLike } from 'rxjs';
import { decodeTextFrame, type JsonObject } from '../../../protocol/index.js';
import type { ReconnectPolicy } from '../../../transport/operators/reconnect.js';
import { ConnectionClosedError, HttpStatusError, SessionNotFoundError } from '../../mcp-error.js';
import { describeNetworkError } from './http-failures.js';
import { readEventStream } from './server-sent-events.js';

/** How a broken event stream is picked up again. */
export interface FollowSettings {
  /** Backoff between attempts and how many in a row; `undefined`: a broken stream is not reopened. */
  readonly reconnect: ReconnectPolicy | undefined;
  /** Longest event accepted, characters. */
  readonly maxEventLength: number;
  readonly scheduler: SchedulerLike;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
}

/** One event stream to follow to its end. */
export interface Follow {
  /** A 200 `text/event-stream` response; without one, the stream is opened with `reopen` first (retried as after a break). */
  readonly response?: Response;
  /** Aborting ends the following (the promise rejects with the reason). */
  readonly signal: AbortSignal;
  /** For messages: `"the response stream of tools/call"`. */
  readonly what: string;
  /** Each message, in order; true when it was the one awaited (a request's reply): the following is done. */
  readonly onMessage: (message: JsonObject) => boolean;
  /** An event whose data is not a JSON object: reported, skipped. */
  readonly onBadEvent: (error: Error) => void;
  /**
   * Opens the stream again after a break, with `Last-Event-ID` when an event id is known: resolves
   * with the next 200 event stream, rejects with the typed error of a response that is not one.
   */
  readonly reopen: (lastEventId: string | undefined) => Promise<Response>;
  /** Whether a stream that gave no event id may be reopened all the same (the standalone GET stream may, from now on). */
  readonly reopenWithoutId: boolean;
  /** Without `response`: told once the first `reopen` has answered, opened or not. */
  readonly afterFirstAttempt?: () => void;
}

/**
 * Reads an event stream and, when it ends or breaks before what it was followed for, picks it up
 * again, as Streamable HTTP allows: a GET with `Last-Event-ID` set to the last event id seen, after
 * the server's `retry` delay or a full-jitter backoff, at most `maxRetries` times in a row (a
 * message that arrives resets the count). Resolves once `onMessage` says it is done; rejects with
 * the abort reason when aborted, and with a `ConnectionClosedError` (or the reopening's typed
 * error) when the stream cannot go on.
 */
export function followEventStream(follow: Follow, settings: FollowSettings): Promise<void> {
  return new Follower(follow, settings).run();
}

class Follower {
  private lastEventId: string | undefined;
  /** The server's `retry`: how long to wait before reopening, instead of the backoff. */
  private retryMs: number | undefined;
  /** Attempts since the last message. */
  private failures = 0;

  constructor(
    private readonly follow: Follow,
    private readonly settings: FollowSettings,
  ) {}

  async run(): Promise<void> {
    let response = this.follow.response ?? (await this.open());
    for (;;) {
      const outcome = await this.read(response);
      if (outcome === 'done') return;
      throwIfAborted(this.follow.signal);
      const { reconnect } = this.settings;
      const { what, reopenWithoutId } = this.follow;
      if (!reconnect || (this.lastEventId === undefined && !reopenWithoutId)) {
        const hint = reconnect ? 'and gave no event id to resume from' : 'and reconnection is off';
        throw new ConnectionClosedError(`${capitalized(what)} ${outcome} ${hint}`);
      }
      response = await this.reopen(reconnect, outcome);
    }
  }

  /** The first open, when no response was given: retried like a reopening when it fails for a temporary reason. */
  private async open(): Promise<Response> {
    try {
      const response = await this.follow.reopen(undefined);
      this.follow.afterFirstAttempt?.();
      return response;
    } catch (error) {
      this.follow.afterFirstAttempt?.();
      throwIfAborted(this.follow.signal);
      const { reconnect } = this.settings;
      if (!reconnect || !retryable(error)) throw error;
      return this.reopen(reconnect, describeNetworkError(error));
    }
  }

  /** Reads one response to its end: `'done'` when the awaited message came, else how the stream stopped. */
  private async read(response: Response): Promise<string> {
    const seen = { done: false };
    try {
      await readEventStream(requireBody(response), this.settings.maxEventLength, (event) => {
        if (event.id !== undefined) this.lastEventId = event.id;
        if (event.retry !== undefined) this.retryMs = event.retry;
        if (event.data === undefined || event.data === '' || (event.event !== undefined && event.event !== 'message')) return false;
        const decoded = decodeTextFrame(event.data);
        if (E.isLeft(decoded)) {
          this.follow.onBadEvent(new Error(`${capitalized(this.follow.what)} carried an event that is not a JSON object (${decoded.left.message}); skipped`));
          return false;
        }
        this.failures = 0;
        seen.done = this.follow.onMessage(decoded.right);
        return seen.done;
      });
    } catch (error) {
      return seen.done ? 'done' : `broke (${describeNetworkError(error)})`;
    }
    return seen.done ? 'done' : 'ended';
  }

  /** Opens the stream again, waiting before each attempt; gives up on a fatal answer or after `maxRetries` in a row. */
  private async reopen(policy: ReconnectPolicy, why: string): Promise<Response> {
    let last: unknown;
    for (;;) {
      if (this.failures >= policy.maxRetries) {
        const cause = last === undefined ? why : describeNetworkError(last);
        throw new ConnectionClosedError(`${capitalized(this.follow.what)} could not be resumed after ${policy.maxRetries} attempts (${cause})`, { cause: last });
      }
      const delay = this.retryMs ?? jitteredDelay(this.failures, policy, this.settings.random);
      this.failures += 1;
      await wait(delay, this.follow.signal, this.settings.scheduler);
      try {
        return await this.follow.reopen(this.lastEventId);
      } catch (error) {
        throwIfAborted(this.follow.signal);
        if (!retryable(error)) throw error;
        last = error;
      }
    }
  }
}

/** Worth another attempt: the network, or the server's temporary trouble (5xx, 429). */
function retryable(error: unknown): boolean {
  if (error instanceof SessionNotFoundError) return false;
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 429;
  return error instanceof ConnectionClosedError;
}

/** Full-jitter exponential backoff, as the WebSocket client reconnects: uniform in [0, min(maxDelay, initialDelay·2^attempt)). */
function jitteredDelay(attempt: number, policy: ReconnectPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(attempt, 52)));
}

/** Resolves after `ms` on the scheduler; rejects with the signal's reason if it aborts first. */
function wait(ms: number, signal: AbortSignal, scheduler: SchedulerLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      waiting.unsubscribe();
      reject(signal.reason as Error);
    };
    const waiting = timer(ms, scheduler).subscribe(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

function requireBody(response: Response): ReadableStream<Uint8Array> {
  if (!response.body) throw new Error('the response has no body');
  return response.body;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
