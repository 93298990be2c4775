import { finalize, isObservable } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import type { HandlerResult, MessageHandler } from './message-handler.js';

/** Default most handler calls one connection may have running at once. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

/**
 * Counts one connection's unfinished handler calls and refuses new ones past `max`, so a client
 * cannot pile up unbounded work on the server. A call is unfinished from the moment the handler
 * is called until its result settles: at once for a plain value, when a promise settles, when an
 * Observable completes, errors or is unsubscribed (its connection closed).
 */
export class InFlightLimiter {
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${max}`);
  }

  /** Handler calls of this connection not yet finished. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * `handler` with the cap in front: over it, the call is not made and `overloaded(message, client)`
   * is answered instead (an error reply, or `undefined` for none).
   */
  wrap<C>(handler: MessageHandler<C>, overloaded: (message: JsonObject, client: C) => JsonObject | undefined): MessageHandler<C> {
    return (message, client) => {
      if (this.running >= this.max) return overloaded(message, client);
      this.running += 1;
      let result: HandlerResult;
      try {
        result = handler(message, client);
      } catch (error) {
        this.release();
        throw error;
      }
      return this.track(result);
    };
  }

  private track(result: HandlerResult): HandlerResult {
    if (result instanceof Promise) return result.finally(this.release);
    if (isObservable(result)) return result.pipe(finalize(this.release));
    this.release();
    return result;
  }

  /** Resolves once no call is unfinished (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readonly release = (): void => {
    this.running -= 1;
    if (this.running === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  };
}
