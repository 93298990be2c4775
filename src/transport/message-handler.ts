import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import { quotePeerText } from './quote-peer-text.js';

/** What a handler may give back: a reply, a promise of one, a stream of them, or nothing (`undefined` or `null`). */
export type HandlerResult =
  | JsonObject
  | undefined
  | null
  | void
  | Promise<JsonObject | undefined | null | void>
  | Observable<JsonObject>;

/** Handles one message from `client`; what it returns goes back to that client only. */
export type MessageHandler<C> = (message: JsonObject, client: C) => HandlerResult;

/**
 * Handlers keyed by the message's `type`; `'*'` catches every other type (and untyped messages).
 *
 * @example { custom_command: (m) => ({ type: 'custom_response', data: 'processed' }), '*': echo }
 */
export type MessageHandlerMap<C> = Readonly<Record<string, MessageHandler<C>>>;

/** Outcome callbacks of one handler call. */
export interface HandlerSink {
  reply(message: JsonObject): void;
  fail(error: unknown): void;
}

/**
 * Turns a handler map into one handler. A type with no handler (and no `'*'`) gets an error reply
 * naming the type (quoted, cut to 128 characters), so a typo shows up at the client instead of as silence.
 */
export function routeByType<C>(handlers: MessageHandlerMap<C>): MessageHandler<C> {
  const fallback = handlers['*'];
  return (message, client) => {
    const type = message['type'];
    const handler = typeof type === 'string' && Object.hasOwn(handlers, type) ? handlers[type] : fallback;
    if (handler) return handler(message, client);
    const shown = typeof type === 'string' ? quotePeerText(type) : 'none';
    return { type: 'error', error: `Unknown message type: ${shown}`, code: 'unknown_type' };
  };
}

/**
 * Calls `handler` and routes its result to `sink` without allocating a subscription for plain and
 * promised replies (the hot path); only a handler that returns an Observable is subscribed to.
 * Returns the subscription of an Observable reply, so the caller can end it on disconnect; being a
 * Subscription, it leaves its parent by itself when the reply stream completes.
 */
export function invokeHandler<C>(
  handler: MessageHandler<C>,
  message: JsonObject,
  client: C,
  sink: HandlerSink,
): Subscription | undefined {
  let result: HandlerResult;
  try {
    result = handler(message, client);
  } catch (error) {
    sink.fail(error);
    return undefined;
  }
  // null is "no reply" too: JavaScript handlers return it where TypeScript ones cannot.
  if (result === undefined || result === null) return undefined;
  if (result instanceof Promise) {
    result.then(
      (reply) => {
        if (reply !== undefined && reply !== null) sink.reply(reply);
      },
      (error: unknown) => sink.fail(error),
    );
    return undefined;
  }
  if (isObservable(result)) {
    return result.subscribe({ next: (reply) => sink.reply(reply), error: (error: unknown) => sink.fail(error) });
  }
  sink.reply(result);
  return undefined;
}
