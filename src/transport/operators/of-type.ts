import { filter, type OperatorFunction } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';

/** A message whose `type` field is one of `T`. */
export type MessageOfType<T extends string> = JsonObject & { type: T };

/**
 * A predicate for plain messages: `client.messages$.pipe(filter(isType('update')))`.
 */
export function isType<T extends string>(...types: readonly T[]): (message: JsonObject) => message is MessageOfType<T> {
  const wanted: ReadonlySet<string> = new Set(types);
  return (message): message is MessageOfType<T> => typeof message['type'] === 'string' && wanted.has(message['type']);
}

/**
 * Keeps the incoming messages whose `type` is one of `types`, narrowing their type.
 *
 * @example transport.messages$.pipe(ofType('custom_command')).subscribe(({ client, message }) => …)
 * @see isType for streams of plain messages
 */
export function ofType<T extends string, E extends { readonly message: JsonObject }>(
  ...types: readonly T[]
): OperatorFunction<E, E & { readonly message: MessageOfType<T> }> {
  const matches = isType(...types);
  return filter((envelope): envelope is E & { readonly message: MessageOfType<T> } => matches(envelope.message));
}
