import type { MessageHandler } from '../flow/run-handlers.js';
import { quotePeerText } from '../security/quote-peer-text.js';

/**
 * Handlers keyed by the message's `type`; `'*'` catches every other type (and untyped messages).
 *
 * @example { custom_command: (m) => ({ type: 'custom_response', data: 'processed' }), '*': echo }
 */
export type MessageHandlerMap<C> = Readonly<Record<string, MessageHandler<C>>>;

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
