import type { SchedulerLike } from 'rxjs';
import type { CacheScope, Implementation, ServerCapabilities } from '../../protocol/index.js';
import type { ToolCallWrapper } from './methods/tool-call-wrapper.js';
import type { McpSessionStore } from './sessions/session-store.js';

/** What `ServerCore` is built with; `MCPServer` fills it from its own options. */
export interface ServerCoreOptions {
  readonly serverInfo: Implementation;
  readonly instructions: string | undefined;
  readonly pageSize: number;
  readonly cache: { readonly ttlMs: number; readonly scope: CacheScope };
  /** How long a reply after notifications of its request waits for the client's read receipt, ms; `undefined`: it does not wait. */
  readonly notificationReceiptMs: number | undefined;
  /** Handshake era: how long a handler's request to the client waits for the answer, ms. */
  readonly clientRequestTimeoutMs: number;
  /** 2026-07-28: the secret that signs `requestState` (random when not given) and how long a state is good, ms. */
  readonly requestState: { readonly secret: string | Uint8Array | undefined; readonly ttlMs: number };
  readonly scheduler: SchedulerLike;
  /** Streamable HTTP sessions kept in a store every node shares, and how long one lives unused, ms. */
  readonly sessionStore?: { readonly store: McpSessionStore; readonly ttlMs: number } | undefined;
  /** With a `sessionStore`: WebSocket sessions are stored too, for clients that resume on another node; the node's id. */
  readonly connectionSessions?: { readonly nodeId: () => string | undefined } | undefined;
  /** Runs around every tools/call (tracing, for one). */
  readonly wrapToolCall?: ToolCallWrapper | undefined;
}

/** Everything a client may use: tools, resources (with subscriptions), prompts, logging, completions. */
export const CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};
