import type { Implementation } from '../../protocol/index.js';
import type { AuthInfo, CloseInfo } from '../../transport/index.js';
import type { McpSession } from './sessions/session.js';

/** A session opening (handshake done, or first 2026-07-28 request) or closing, for operators. */
export interface SessionEvent {
  readonly type: 'opened' | 'closed';
  readonly sessionId: string;
  /** How the session was opened: `initialize` (legacy) or per-request `_meta` (modern). */
  readonly era: 'legacy' | 'modern';
  readonly protocolVersion: string | undefined;
  readonly clientInfo: Implementation | undefined;
  readonly authInfo: AuthInfo | undefined;
  /** For `closed`: the socket's close code and reason. */
  readonly close?: CloseInfo;
}

/** Something went wrong inside the server (a handler threw, a result was malformed). */
export interface ServerErrorEvent {
  readonly error: unknown;
  /** Where: `tool "add"`, `resource file:///x`, `method tools/call`. */
  readonly context: string;
  readonly sessionId?: string;
}

/** The `sessions$` event for `session` (its `close` is added by the caller for `closed`). */
export function sessionEvent(type: SessionEvent['type'], session: McpSession): SessionEvent {
  return {
    type,
    sessionId: session.id,
    era: session.openedAs ?? 'legacy',
    protocolVersion: session.openedWithVersion,
    clientInfo: session.clientInfo,
    authInfo: session.authInfo,
  };
}
