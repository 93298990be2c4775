import type { JsonObject } from '../../../protocol/index.js';

/** Why the server is about to send an error reply instead of calling the handler's reply. */
export type ReplyProblemKind = 'invalid_json' | 'not_an_object' | 'binary_frame' | 'forbidden_key' | 'handler_failed' | 'rate_limited' | 'overloaded' | 'shutting_down';

/** What went wrong with a message, handed to `errorReply` to shape the reply the peer gets. */
export interface ReplyProblem {
  readonly kind: ReplyProblemKind;
  /** Safe for the peer: never a stack or an internal message. */
  readonly message: string;
  /**
   * The message being handled, for `handler_failed`, `overloaded` and `shutting_down` (and
   * `rate_limited` when it parsed); for `forbidden_key`, the message without its forbidden keys.
   */
  readonly request?: JsonObject;
}

export const defaultErrorReply = (problem: ReplyProblem): JsonObject => ({
  type: 'error',
  error: problem.message,
  code: problem.kind,
});

