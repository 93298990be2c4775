import { finalize, isObservable } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import type { HandlerResult, MessageHandler } from './message-handler.js';

/** Default most handler calls one connection may have running at once. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

/** What is answered instead of a call refused for being over a cap: an error reply, or `undefined` for none. */
export type OverloadedReply<C> = (message: JsonObject, client: C) => JsonObject | undefined;

/**
 * Counts unfinished handler calls and refuses new ones past `max`. A call is unfinished from the
 * moment the handler is called until its result settles: at once for a plain value, when a
 * promise settles, when an Observable completes, errors or is unsubscribed (its connection closed).
 */
export class InFlightLimiter {
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${max}`);
  }

  /** Handler calls not yet finished. */
  get inFlight(): number {
    return this.running;
  }

  /** `handler` with the cap in front: over it, the call is not made and `overloaded(message, client)` is answered instead. */
  wrap<C>(handler: MessageHandler<C>, overloaded: OverloadedReply<C>): MessageHandler<C> {
    return (message, client) => {
      if (this.running >= this.max) return overloaded(message, client);
      this.running += 1;
      return callCounted(handler, message, client, this.release, this);
    };
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

/** A client that keeps the count of its own unfinished handler calls. */
export interface CountsCalls {
  pendingCalls: number;
}

/**
 * `handler` with at most `max` unfinished calls per client. The count lives on the client, so an
 * idle connection carries one number rather than a limiter, a wrapped handler and their closures.
 */
export function capPerClient<C extends CountsCalls>(handler: MessageHandler<C>, max: number, overloaded: OverloadedReply<C>): MessageHandler<C> {
  if (!(max >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${max}`);
  return (message, client) => {
    if (client.pendingCalls >= max) return overloaded(message, client);
    client.pendingCalls += 1;
    return callCounted(handler, message, client, releaseClientCall, client);
  };
}

function releaseClientCall(client: CountsCalls): void {
  client.pendingCalls -= 1;
}

/**
 * Calls `handler`, whose slot is already taken, and calls `release(owner)` once its result has
 * settled. A plain reply is released at once without allocating anything.
 */
function callCounted<C, O>(handler: MessageHandler<C>, message: JsonObject, client: C, release: (owner: O) => void, owner: O): HandlerResult {
  let result: HandlerResult;
  try {
    result = handler(message, client);
  } catch (error) {
    release(owner);
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => release(owner));
  if (isObservable(result)) return result.pipe(finalize(() => release(owner)));
  release(owner);
  return result;
}
