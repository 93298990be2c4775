import { ChildHandle } from '../child.js';
import type { McpLeg } from '../config.js';
import type { McpRunParams } from '../mcp/mcp-load-main.js';
import type { McpServerInfo, McpServerKind } from '../mcp/mcp-server-main.js';
import type { McpTarget } from '../mcp/mcp-callers.js';
import type { McpRow } from '../results.js';
import { combineRuns, type ClosedLoopResult, type MeasuredRun } from '../stats.js';
import { percent, profileFlags, serverCpuDuring, withChildren, type RunContext } from './context.js';
import { interleave } from './interleave.js';

const SERVER_OF: Record<McpLeg, McpServerKind | undefined> = {
  'nexus-simple': 'nexus',
  'sdk-ws-nexus': 'nexus',
  'sdk-http-nexus': 'nexus',
  'sdk-stdio-nexus': undefined,
  'sdk-http': 'sdk-http',
  'sdk-http-json': 'sdk-http-json',
  'sdk-stdio': undefined,
};

interface Leg {
  readonly leg: McpLeg;
  readonly load: ChildHandle;
  readonly server: ChildHandle | undefined;
}

/**
 * mcp: C clients of one leg, each calling `tools/call echo` in a closed loop. All servers and one
 * load generator per leg run side by side; for each C the legs take turns, several times over.
 * For stdio each client spawns its own server process (pinned to the server core), as an MCP host does.
 */
export async function runMcp(context: RunContext, legs: readonly McpLeg[]): Promise<McpRow[]> {
  const { clients, repetitions, warmupMs, durationMs } = context.config.mcp;
  const rows: McpRow[] = [];
  const kinds = [...new Set(legs.map((leg) => SERVER_OF[leg]).filter((kind) => kind !== undefined))];
  const start = (): ChildHandle[] => [
    ...kinds.map((kind) =>
      ChildHandle.start(
        {
          label: `server mcp ${kind}`,
          script: 'spec/bench/mcp/mcp-server-main.ts',
          args: ['--kind', kind],
          nodeFlags: profileFlags(context, `mcp-${kind}`),
          core: context.placement.serverCore,
        },
        context.placement,
        context.verbose,
      ),
    ),
    ...legs.map((leg) =>
      ChildHandle.start(
        { label: `load mcp ${leg}`, script: 'spec/bench/mcp/mcp-load-main.ts', core: context.placement.loadCore },
        context.placement,
        context.verbose,
      ),
    ),
  ];
  await withChildren(context, 'mcp', legs.join(', '), start, async (children) => {
    const servers = new Map(kinds.map((kind, index) => [kind, children[index]]));
    const runnable: Leg[] = [];
    const targets = new Map<McpLeg, McpTarget>();
    for (const [index, leg] of legs.entries()) {
      const load = children[kinds.length + index];
      if (!load) throw new Error(`load generator of ${leg} missing`);
      const kind = SERVER_OF[leg];
      const server = kind === undefined ? undefined : servers.get(kind);
      const info = server ? ((await server.ready) as McpServerInfo) : undefined;
      if (info && 'skipped' in info) {
        for (const count of clients) rows.push({ leg, clients: count, skipped: info.skipped });
        context.log(`  mcp ${leg}: skipped: ${info.skipped}`);
        continue;
      }
      targets.set(leg, targetOf(context, leg, info?.port));
      runnable.push({ leg, load, server });
    }
    for (const count of clients) {
      const measure = async ({ leg, load, server }: Leg): Promise<MeasuredRun> => {
        const target = targets.get(leg);
        if (!target) throw new Error(`no target for ${leg}`);
        const params: McpRunParams = { leg, target, clients: count, warmupMs, durationMs };
        const [result, serverCpu] = await Promise.all([
          load.request<ClosedLoopResult>('run', params, warmupMs + durationMs + context.config.stepTimeoutMs),
          server ? serverCpuDuring(server, warmupMs, durationMs) : Promise.resolve(Number.NaN),
        ]);
        return { ...result, serverCpu };
      };
      const runs = await interleave(context, 'mcp', runnable, repetitions, measure, ({ leg }) => `${leg} C=${count}`);
      for (const [{ leg }, measured] of runs) {
        if (measured.length === 0) continue;
        const { requests, ...rest } = combineRuns(measured);
        rows.push({ leg, clients: count, calls: requests, ...rest });
        context.log(
          `  mcp ${leg} C=${count}: ${rest.perSecond.toFixed(0)} calls/s, p50 ${rest.p50Ms.toFixed(3)} ms, p99 ${rest.p99Ms.toFixed(3)} ms, ` +
            `CPU server ${percent(rest.serverCpu)} load ${percent(rest.loadCpu)}` +
            (rest.errors > 0 ? `, ${rest.errors} errors` : ''),
        );
      }
    }
  });
  return rows;
}

function targetOf(context: RunContext, leg: McpLeg, port: number | undefined): McpTarget {
  if (leg === 'sdk-stdio' || leg === 'sdk-stdio-nexus') {
    const { pinned, serverCore } = context.placement;
    const script = leg === 'sdk-stdio' ? 'spec/bench/mcp/sdk-stdio-server.ts' : 'spec/bench/mcp/nexus-stdio-server.ts';
    const node = [process.execPath, '--import', 'tsx', script];
    return { stdioCommand: pinned ? ['taskset', '-c', String(serverCore), ...node] : node };
  }
  if (port === undefined) throw new Error(`${leg}: the server announced no port`);
  if (leg === 'sdk-http' || leg === 'sdk-http-json') return { url: `http://127.0.0.1:${port}/mcp` };
  // MCPServer answers Streamable HTTP and WebSocket on the same port and path.
  if (leg === 'sdk-http-nexus') return { url: `http://127.0.0.1:${port}/` };
  return { url: `ws://127.0.0.1:${port}` };
}
