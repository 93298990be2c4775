import { isObservable, Observable, type Observable as ObservableType, type OperatorFunction, type Subscription } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import type { CountsCalls, InFlightCalls } from './in-flight.js';

/** What a handler may give back: a reply, a promise of one, a stream of them, or nothing (`undefined` or `null`). */
export type HandlerResult =
  | JsonObject
  | undefined
  | null
  | void
  | Promise<JsonObject | undefined | null | void>
  | ObservableType<JsonObject>;

/** Handles one message from `client`; what it returns goes back to that client only. */
export type MessageHandler<C> = (message: JsonObject, client: C) => HandlerResult;

/** A client whose handler calls can be counted and cancelled. */
export interface HandledClient extends CountsCalls {
  /** Keeps `subscription` (an Observable reply) until it ends by itself or the client is gone for good. */
  track(subscription: Subscription): void;
}

/** One reply of a handler, on its way back to the client that sent `request`. */
export interface HandlerReply<C> {
  readonly client: C;
  readonly reply: JsonObject;
  readonly request: JsonObject;
}

/**
 * The handler stage: calls `handler` for each message, concurrently, and emits its replies, with
 * `mergeMap`'s semantics (every call runs at once; replies in the order they come) and without its
 * cost on the hot path: a plain or promised reply allocates no subscription; only a handler that
 * returns an Observable is subscribed to, and that subscription is handed to its client, which ends
 * it when the client is gone for good. Each call is counted in `calls` until its result settles.
 * A handler that throws or rejects goes to `failed`; the stream itself never errors for it.
 */
export function runHandlers<C extends HandledClient>(
  handler: MessageHandler<C>,
  calls: InFlightCalls,
  failed: (client: C, request: JsonObject, error: unknown) => void,
): OperatorFunction<{ readonly client: C; readonly message: JsonObject }, HandlerReply<C>> {
  return (source) =>
    new Observable<HandlerReply<C>>((subscriber) =>
      source.subscribe({
        next: ({ client, message }) => {
          const reply = (value: JsonObject): void => subscriber.next({ client, reply: value, request: message });
          calls.begin(client);
          let result: HandlerResult;
          try {
            result = handler(message, client);
          } catch (error) {
            calls.end(client);
            failed(client, message, error);
            return;
          }
          // null is "no reply" too: JavaScript handlers return it where TypeScript ones cannot.
          if (result === undefined || result === null) {
            calls.end(client);
          } else if (result instanceof Promise) {
            result.then(
              (value) => {
                calls.end(client);
                if (value !== undefined && value !== null) reply(value);
              },
              (error: unknown) => {
                calls.end(client);
                failed(client, message, error);
              },
            );
          } else if (isObservable(result)) {
            const running = result.subscribe({ next: reply, error: (error: unknown) => failed(client, message, error) });
            // Runs when the stream completes, errors or is cancelled; at once if it already has.
            running.add(() => calls.end(client));
            client.track(running);
          } else {
            calls.end(client);
            reply(result);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
