/**
 * `npm run test:conformance`: the official MCP conformance suite (`@modelcontextprotocol/conformance`,
 * server scenarios, the active set) against MCPServer's Streamable HTTP endpoint.
 *
 * Installs the suite's nested package if needed (see suite-install.ts for why it is nested), starts
 * conformance-server.ts as its own process on the project's Node (tsx), runs the suite on Node ≥ 22
 * against the URL the server prints, prints a summary, stops the server. Exits 0 when every active
 * scenario passed with no failed check and no warning, 1 otherwise, 2 on timeout
 * (`CONFORMANCE_TIMEOUT_MS`, default 300000, kills everything it started).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, killAll, run, start, stop } from './child-processes.js';
import { ensureSuiteInstalled, SUITE_CLI, suiteNode, suiteVersion } from './suite-install.js';
import { judge, readChecks, reconcileSkips, scenariosListed, scenariosRun, summaryLines } from './suite-results.js';

/**
 * The scenarios not run, each with its reason. Only the suite's pending ones (left out of its
 * active set by the suite itself); the run fails if the suite leaves out a scenario not named here.
 */
const SKIPPED: Readonly<Record<string, string>> = {
  'json-schema-2020-12':
    'pending in the suite (SEP-1613). It looks for a tool whose inputSchema carries "$schema", "$defs" and "$ref"; ' +
    "MCPServer derives inputSchema from the tool's io-ts codec and writes no \"$schema\" (2025-11-25 makes 2020-12 the default dialect)",
  'server-sse-polling':
    'pending in the suite (SEP-1699 polling). It calls a test_reconnection tool and expects the server to end the ' +
    "request's event stream before the result, for the client to resume it with Last-Event-ID; MCPServer resumes " +
    'dropped streams but gives a handler no way to end its stream early',
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = fileURLToPath(new URL('conformance-server.ts', import.meta.url));
const TIMEOUT_MS = timeoutMs(process.env['CONFORMANCE_TIMEOUT_MS']);
/** How long the server may take to print its URL (tsx compiles the sources first). */
const SERVER_START_MS = 60_000;
const SERVER_STOP_GRACE_MS = 5_000;

async function main(): Promise<number> {
  await ensureSuiteInstalled();
  const node = await suiteNode();
  const listed = scenariosListed((await run(node.path, [SUITE_CLI, 'list', '--server'])).stdout);
  // stdin is a pipe the server watches: should this runner die without stopping it, it stops itself.
  const server = start(process.execPath, ['--import', 'tsx', SERVER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const outDir = mkdtempSync(join(tmpdir(), 'nexus-conformance-'));
  try {
    const url = await firstLine(server, SERVER_START_MS);
    console.log(`@modelcontextprotocol/conformance ${suiteVersion()} on Node ${node.version}: active server scenarios against ${url}`);
    const suite = await run(node.path, [SUITE_CLI, 'server', '--url', url, '--suite', 'active', '-o', outDir], { cwd: ROOT });
    const ran = scenariosRun(suite.stdout);
    const verdicts = ran.map((scenario) => judge(scenario, readChecks(outDir, scenario)));
    const { skips, problems } = reconcileSkips(listed, ran, SKIPPED);
    if (ran.length === 0) problems.push('the suite ran no scenario');
    if (suite.code !== 0) problems.push(`the suite exited with code ${suite.code}`);
    const failed = problems.length > 0 || verdicts.some((verdict) => !verdict.ok);
    // The suite's own log (every check, with details) only when something failed: it is long.
    if (failed) console.log(`\n--- the suite's output ---\n${suite.stdout}--- end of the suite's output ---\n`);
    console.log(['', 'Conformance summary:', ...summaryLines(verdicts, skips)].join('\n'));
    for (const problem of problems) console.log(`PROBLEM: ${problem}`);
    if (failed) console.log(`\nEach scenario's checks.json is kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
    return failed ? 1 : 0;
  } finally {
    await stop(server, SERVER_STOP_GRACE_MS);
  }
}

function timeoutMs(value: string | undefined): number {
  if (value === undefined || value === '') return 300_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new TypeError(`CONFORMANCE_TIMEOUT_MS must be a positive integer (ms), got ${JSON.stringify(value)}`);
  return ms;
}

const deadline = setTimeout(() => {
  console.error(`conformance: timed out after ${TIMEOUT_MS} ms; stopping everything it started`);
  killAll();
  process.exit(2);
}, TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(1);
  });
}
main().then(
  (code) => {
    clearTimeout(deadline);
    process.exitCode = code;
  },
  (error: unknown) => {
    clearTimeout(deadline);
    console.error(`conformance: ${error instanceof Error ? error.message : String(error)}`);
    killAll();
    process.exitCode = 1;
  },
);
