import type { Observable } from 'rxjs';
import type { CacheScope, CompleteParams, CompleteResult, Implementation, RequestId, ServerCapabilities } from '../../../protocol/index.js';
import type { HandlerContext } from '../requests/handler-context.js';
import type { PromptRegistry } from '../../registries/prompt-registry.js';
import type { ResourceRegistry } from '../../registries/resource-registry.js';
import type { McpSession, RequestEra } from '../sessions/session.js';
import type { ToolCallOutcome, ToolRegistry } from '../../registries/tool-registry.js';

/** One finished `tools/call`, for operators. */
export interface ToolCallEvent {
  readonly sessionId: string;
  readonly requestId: RequestId;
  readonly name: string;
  /** Wall time from decoding the arguments to the result, ms (from the server's scheduler). */
  readonly durationMs: number;
  readonly outcome: ToolCallOutcome;
}

/** What the method handlers need from the server that hosts them. */
export interface MethodHost {
  readonly serverInfo: Implementation;
  readonly instructions: string | undefined;
  readonly capabilities: ServerCapabilities;
  readonly pageSize: number;
  readonly cache: { readonly ttlMs: number; readonly scope: CacheScope };
  readonly tools: ToolRegistry;
  readonly resources: ResourceRegistry;
  readonly prompts: PromptRegistry;
  /** Emits once when the server begins to stop: open listen streams end with their final result. */
  readonly stopping$: Observable<void>;
  readonly isStopping: boolean;
  /** Announces the session on `sessions$` the first time it is known (handshake or first modern request). */
  announce(session: McpSession, era: RequestEra): void;
  recordToolCall(event: ToolCallEvent): void;
  /** Stores a shared session's state after a change (HTTP sessions with a session store); `undefined` when there is nothing to wait for. */
  persist(session: McpSession): Promise<void> | undefined;
  /** Answers `completion/complete` from the completers of prompts and resource templates. */
  completeArgument(params: CompleteParams, ctx: HandlerContext): Promise<CompleteResult>;
  now(): number;
}
