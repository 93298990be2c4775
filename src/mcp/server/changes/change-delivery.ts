import type { McpSession } from '../sessions/session.js';
import type { SharedSessions } from '../sessions/shared-sessions.js';
import { deliverListChanged, deliverResourceUpdated, type ServerChange } from './change-notifications.js';

/**
 * Delivers a change to the given sessions (this node's). A session whose state is still loading gets
 * it once it has its handshake and subscriptions; a shared HTTP session's resource update goes
 * through `shared`, which knows where its stream is.
 */
export function deliverChange(
  sessions: Iterable<McpSession>,
  change: ServerChange,
  shared: SharedSessions | undefined,
  report: (error: unknown, context: string, sessionId: string) => void,
): void {
  for (const session of sessions) {
    if (session.loading) session.loading.then(() => deliverTo(session, change, shared)).catch((error: unknown) => report(error, 'deliver', session.id));
    else deliverTo(session, change, shared);
  }
}

function deliverTo(session: McpSession, change: ServerChange, shared: SharedSessions | undefined): void {
  if (change.kind === 'list_changed') deliverListChanged([session], change.list);
  else if (session.sharedId !== undefined && shared) shared.deliverResourceUpdated(session, change.uri);
  else deliverResourceUpdated(session, change.uri);
}
