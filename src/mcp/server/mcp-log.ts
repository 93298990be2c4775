import { Subscription, type Observable } from 'rxjs';
import type { StructuredLogger } from '../../transport/index.js';
import type { ToolCallEvent } from './methods/method-host.js';
import type { ServerErrorEvent, SessionEvent } from './server-events.js';

/** The MCP server's streams that the log reads. */
export interface McpLoggedStreams {
  readonly errors$: Observable<ServerErrorEvent>;
  readonly sessions$: Observable<SessionEvent>;
  readonly toolCalls$: Observable<ToolCallEvent>;
}

/**
 * Logs the MCP server: failures (a handler threw, a session store or the cluster failed) as
 * `error` lines with the error as `err` and where it happened as `context`; sessions opened and
 * closed, and each tool call with its outcome and duration, as `debug`. A line about one session
 * comes from a child logger bound to its `sessionId`, made for that line only (and, for debug
 * lines, only when debug is enabled), so idle sessions cost the log nothing.
 */
export function logMcpServer(streams: McpLoggedStreams, logger: StructuredLogger): Subscription {
  const debugFor = (sessionId: string): StructuredLogger | undefined =>
    logger.isLevelEnabled && !logger.isLevelEnabled('debug') ? undefined : logger.child({ sessionId });
  const subscription = new Subscription();
  subscription.add(
    streams.errors$.subscribe(({ error, context, sessionId }) => {
      const target = sessionId === undefined ? logger : logger.child({ sessionId });
      target.error({ err: error, context }, `nexus-mcp: MCP server failed in ${context}`);
    }),
  );
  subscription.add(
    streams.sessions$.subscribe(({ type, sessionId, era, protocolVersion, close }) => {
      debugFor(sessionId)?.debug({ era, protocolVersion, closeCode: close?.code }, `nexus-mcp: MCP session ${type}`);
    }),
  );
  subscription.add(
    streams.toolCalls$.subscribe(({ sessionId, requestId, name, durationMs, outcome }) => {
      debugFor(sessionId)?.debug({ tool: name, requestId, durationMs, outcome }, `nexus-mcp: tool call ${name}: ${outcome}`);
    }),
  );
  return subscription;
}
