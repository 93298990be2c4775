import type { JsonObject } from '../../protocol/index.js';

/** Whether a message would start work (a handler call); other messages (replies, notifications) still pass while stopping. */
export type StartsWork = (message: JsonObject) => boolean;

export const everyMessageStartsWork: StartsWork = () => true;

/**
 * The verdict of the "no new work while stopping" policy: once the server is draining, a message
 * that would start work is refused (its sender may retry elsewhere or after a reconnect), while
 * what finishes work already running (a reply to the server's own request, a cancellation) passes.
 */
export function stoppingVerdict(isStopping: () => boolean, startsWork: StartsWork): (item: { readonly message: JsonObject }) => 'shutting_down' | undefined {
  return ({ message }) => (isStopping() && startsWork(message) ? 'shutting_down' : undefined);
}
