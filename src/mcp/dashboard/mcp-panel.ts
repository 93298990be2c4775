import { map, merge, type Observable, type SchedulerLike } from 'rxjs';
import type { DashboardEvent, DashboardOptions, DashboardPanel } from '../../transport/index.js';
import type { ToolCallEvent } from '../server/methods/method-host.js';
import type { SessionEvent } from '../server/server-events.js';

/** Recent calls and open sessions listed in a snapshot; tools summed by name before `other`. */
const LISTED = 20;
const MAX_TOOL_NAMES = 100;
/** Open sessions remembered (their count is exact past it). */
const MAX_SESSIONS = 10_000;

interface ToolTotals {
  calls: number;
  failed: number;
  totalMs: number;
  maxMs: number;
}

interface OpenSession {
  readonly sessionId: string;
  readonly era: string;
  readonly protocolVersion: string | undefined;
  readonly client: string | undefined;
  readonly openedAt: number;
}

/** What an `MCPServer` shows on the dashboard: its sessions and tool calls. */
export interface McpActivity {
  readonly sessions$: Observable<SessionEvent>;
  readonly toolCalls$: Observable<ToolCallEvent>;
}

/**
 * The `mcp` panel: open sessions, the latest tool calls with duration and outcome, and totals by
 * tool, kept from the server's `sessions$` and `toolCalls$` (which complete when it stops). Tool
 * names come from clients, so the totals keep at most {@link MAX_TOOL_NAMES} of them.
 */
export function mcpPanel(server: McpActivity, scheduler: SchedulerLike): DashboardPanel {
  const sessions = new Map<string, OpenSession>();
  let openCount = 0;
  const recent: (ToolCallEvent & { at: number })[] = [];
  const byTool = new Map<string, ToolTotals>();
  let total = 0;
  server.sessions$.subscribe((event) => {
    if (event.type === 'opened') {
      openCount++;
      if (sessions.size < MAX_SESSIONS) sessions.set(event.sessionId, openSessionOf(event, scheduler.now()));
    } else {
      openCount = Math.max(0, openCount - 1);
      sessions.delete(event.sessionId);
    }
  });
  server.toolCalls$.subscribe((call) => {
    total++;
    recent.push({ ...call, at: scheduler.now() });
    if (recent.length > LISTED) recent.shift();
    const name = byTool.has(call.name) || byTool.size < MAX_TOOL_NAMES ? call.name : 'other';
    const totals = byTool.get(name) ?? { calls: 0, failed: 0, totalMs: 0, maxMs: 0 };
    totals.calls++;
    if (call.outcome !== 'ok') totals.failed++;
    totals.totalMs += call.durationMs;
    totals.maxMs = Math.max(totals.maxMs, call.durationMs);
    byTool.set(name, totals);
  });
  return {
    name: 'mcp',
    snapshot: () => ({
      sessions: { open: openCount, list: [...sessions.values()].slice(-LISTED).reverse() },
      calls: {
        total,
        recent: [...recent].reverse(),
        byTool: [...byTool]
          .sort((a, b) => b[1].calls - a[1].calls)
          .slice(0, LISTED)
          .map(([name, t]) => ({ name, calls: t.calls, failed: t.failed, meanMs: t.totalMs / t.calls, maxMs: t.maxMs })),
      },
    }),
    events$: merge(
      server.toolCalls$.pipe(
        map(({ name, outcome, durationMs }): DashboardEvent => ({ kind: 'tool', text: `${name} → ${outcome} in ${durationMs < 1 ? '< 1' : Math.round(durationMs)} ms`, warn: outcome !== 'ok' })),
      ),
      server.sessions$.pipe(
        map(({ type, sessionId, clientInfo, protocolVersion }): DashboardEvent => ({
          kind: 'session',
          clientId: sessionId,
          text: type === 'opened' ? `session opened by ${clientInfo?.name ?? 'a client'} (${protocolVersion ?? 'unknown version'})` : 'session closed',
        })),
      ),
    ),
  };
}

/** The `dashboard` option with the `mcp` panel added, when it is on. */
export function withMcpPanel(option: DashboardOptions | boolean | undefined, panel: () => DashboardPanel): DashboardOptions | false {
  if (!option) return false;
  const options = option === true ? {} : option;
  return { ...options, panels: [...(options.panels ?? []), panel()] };
}

function openSessionOf(event: SessionEvent, now: number): OpenSession {
  const client = event.clientInfo && `${event.clientInfo.name} ${event.clientInfo.version}`;
  return { sessionId: event.sessionId, era: event.era, protocolVersion: event.protocolVersion, client, openedAt: now };
}
