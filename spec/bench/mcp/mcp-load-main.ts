/**
 * The load generator of the mcp workload, as its own process: opens C clients of one leg and runs
 * `tools/call echo` in a closed loop on each. Driven over IPC by the driver.
 */
import type { McpLeg } from '../config.js';
import { serveRpc } from '../rpc.js';
import { runClosedLoop, type ClosedLoopResult } from '../stats.js';
import { openCaller, type McpCaller, type McpTarget } from './mcp-callers.js';

export interface McpRunParams {
  readonly leg: McpLeg;
  readonly target: McpTarget;
  readonly clients: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

async function run({ leg, target, clients, warmupMs, durationMs }: McpRunParams): Promise<ClosedLoopResult> {
  const callers: McpCaller[] = [];
  try {
    for (let index = 0; index < clients; index += 1) callers.push(await openCaller(leg, target));
    return await runClosedLoop(
      callers.map((caller) => () => caller.call()),
      warmupMs,
      durationMs,
    );
  } finally {
    await Promise.allSettled(callers.map((caller) => caller.close()));
  }
}

serveRpc({
  run,
  stop: () => {
    setImmediate(() => process.exit(0));
  },
});
