import { PromptsMethod, ResourcesMethod, ToolsMethod } from '../../../protocol/index.js';
import type { McpSession } from '../sessions/session.js';

/** A list whose contents changed: clients that listen re-read it. */
export type ChangedList = 'tools' | 'resources' | 'prompts';

/**
 * A change clients hear about without asking: a list changed (`notifications/<list>/list_changed`),
 * or a resource was updated (`notifications/resources/updated`). Raised on one node, delivered by
 * every node to its own sessions.
 */
export type ServerChange = { readonly kind: 'list_changed'; readonly list: ChangedList } | { readonly kind: 'resource_updated'; readonly uri: string };

const LIST_METHODS: Record<ChangedList, { readonly method: string; readonly flag: 'toolsListChanged' | 'resourcesListChanged' | 'promptsListChanged' }> = {
  tools: { method: ToolsMethod.listChanged, flag: 'toolsListChanged' },
  resources: { method: ResourcesMethod.listChanged, flag: 'resourcesListChanged' },
  prompts: { method: PromptsMethod.listChanged, flag: 'promptsListChanged' },
};

/** Sends `list_changed` to every session that negotiated it (handshake era) and every listen stream that asked for it (2026-07-28). */
export function deliverListChanged(sessions: Iterable<McpSession>, list: ChangedList): void {
  const { method, flag } = LIST_METHODS[list];
  for (const session of sessions) {
    if (session.legacyEntitled) session.notify(method);
    for (const listen of session.listenersFor(flag)) session.notifyListener(listen, method);
  }
}

/** Sends `notifications/resources/updated` to one session if it subscribed to `uri` (either era). */
export function deliverResourceUpdated(session: McpSession, uri: string): void {
  if (session.resourceSubscriptions.has(uri)) session.notify(ResourcesMethod.updated, { uri });
  for (const listen of session.listenersForResource(uri)) session.notifyListener(listen, ResourcesMethod.updated, { uri });
}
