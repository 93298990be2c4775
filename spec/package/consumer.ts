/**
 * The package as a user gets it: build, pack, install the tarball into a fresh project, type-check
 * a consumer of every entry point (strict, no skipLibCheck; module nodenext and moduleResolution
 * bundler), run it as ESM, require() every entry point from CommonJS, and lint the tarball with
 * publint and @arethetypeswrong/cli, and bundle a page for the browser with esbuild to prove that
 * the `browser` export condition keeps ws and Node built-ins out. Entry points come from package.json `exports`; each needs a
 * fixture in spec/package/fixtures/ (`root.ts` for `.`, `transport.ts` for `./transport`, …).
 *
 *   npm run test:package            # the temporary project is removed at the end
 *   npm run test:package -- --keep  # keeps it and prints where, to look around
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConsumerProject, install, type ConsumerProject } from './consumer-project.js';
import { entryPoints, readPackageJson, type EntryPoint, type PackageJson } from './entry-points.js';
import { attw, publint } from './package-linters.js';
import { bundleForBrowser, nodeOnlyInputs } from '../browser/support/browser-bundle.js';
import { killRunning, runCommand, tail } from './run-command.js';
import { fileListProblems, pack, type Tarball } from './tarball.js';
import { describeDiagnostics, typeCheck } from './type-check.js';

const root = resolve(import.meta.dirname, '../..');
const fixturesDir = join(import.meta.dirname, 'fixtures');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
/** The consumer's @types/node: the oldest Node line the package supports. */
const CONSUMER_TYPES_NODE = '@types/node@20';
const RUN_TIMEOUT_MS = 60_000;

type Outcome = 'pass' | 'fail' | 'skip';
const tally: Record<Outcome, number> = { pass: 0, fail: 0, skip: 0 };

/** Runs one check and prints its verdict; a check fails by throwing, its message saying why. */
async function check(name: string, run: () => string[] | Promise<string[]>, needs = true): Promise<boolean> {
  if (!needs) {
    report('skip', name, ['(an earlier check it needs failed)']);
    return false;
  }
  try {
    report('pass', name, await run());
    return true;
  } catch (error) {
    report('fail', name, (error instanceof Error ? error.message : String(error)).split('\n'));
    return false;
  }
}

function report(outcome: Outcome, name: string, lines: readonly string[]): void {
  tally[outcome] += 1;
  console.log(`${outcome.toUpperCase()} ${name}`);
  for (const line of lines) if (line.trim() !== '') console.log(`     ${line}`);
}

function fixturesMatchEntryPoints(entries: readonly EntryPoint[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    const path = join(fixturesDir, entry.fixture);
    if (!existsSync(path)) problems.push(`${entry.specifier}: no fixture; add spec/package/fixtures/${entry.fixture} exporting check(): Promise<string>`);
    else if (!readFileSync(path, 'utf8').includes(`from '${entry.specifier}'`)) problems.push(`${entry.fixture} does not import '${entry.specifier}'`);
  }
  const expected = new Set(entries.map((entry) => entry.fixture));
  for (const file of readdirSync(fixturesDir)) if (!expected.has(file)) problems.push(`${file}: no entry point in package.json exports uses it`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return entries.map((entry) => `${entry.specifier} → fixtures/${entry.fixture}`);
}

async function cleanBuild(): Promise<string[]> {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const built = await runCommand('npm', ['run', 'build'], { cwd: root, timeoutMs: 180_000 });
  if (!built.ok) throw new Error(`${built.problem ?? ''}\n${tail(built.stdout)}`);
  return ['dist/ removed and rebuilt with npm run build'];
}

function checkTarball(tarball: Tarball | undefined, entries: readonly EntryPoint[]): string[] {
  if (tarball === undefined) throw new Error('no tarball');
  const problems = fileListProblems(tarball.files, entries);
  if (problems.length > 0) throw new Error([`${tarball.files.length} files, of which:`, ...problems].join('\n'));
  const dist = tarball.files.filter((file) => file.startsWith('dist/'));
  const others = tarball.files.filter((file) => !file.startsWith('dist/'));
  return [
    `${others.join(', ')} and ${dist.filter((f) => f.endsWith('.d.ts')).length} .d.ts + ${dist.filter((f) => f.endsWith('.js')).length} .js in dist/`,
    'no source maps, tests or sources',
  ];
}

async function runNode(project: ConsumerProject, file: string): Promise<string[]> {
  const ran = await runCommand(process.execPath, [file], { cwd: project.dir, timeoutMs: RUN_TIMEOUT_MS });
  if (!ran.ok) throw new Error(`${ran.problem ?? ''}\n${tail(ran.stdout, 10)}\n${tail(ran.stderr)}`);
  const warnings = ran.stderr.trim() === '' ? [] : [`stderr: ${tail(ran.stderr, 5)}`];
  return [...ran.stdout.trim().split('\n'), ...warnings];
}

/** Each `bin` of package.json: in the tarball with its executable bit, linked by npm, and answering `--version` with the package's version. */
async function checkBins(pkg: PackageJson, tarball: Tarball | undefined, project: ConsumerProject): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, target] of Object.entries(pkg.bin ?? {})) {
    const file = target.replace(/^\.\//, '');
    if (!tarball?.executables.includes(file)) throw new Error(`${file} (bin ${name}) is not packed with an executable bit`);
    const ran = await runCommand(join(project.dir, 'node_modules', '.bin', name), ['--version'], { cwd: project.dir, timeoutMs: RUN_TIMEOUT_MS });
    if (!ran.ok || ran.stdout.trim() !== pkg.version) throw new Error(`${name} --version: ${ran.problem ?? ''} ${JSON.stringify(ran.stdout.trim())}\n${tail(ran.stderr)}`);
    lines.push(`${name} → ${file}: executable; --version prints ${pkg.version}`);
  }
  return lines;
}

async function typeCheckIn(project: ConsumerProject, config: string): Promise<string[]> {
  const result = await typeCheck(tsc, project.dir, config);
  if (result.diagnostics.length > 0 || !result.exitedCleanly) {
    throw new Error([`${result.diagnostics.length} errors`, ...describeDiagnostics(result.diagnostics), result.otherOutput].join('\n'));
  }
  return [`no errors (strict, skipLibCheck false, ${CONSUMER_TYPES_NODE})`];
}

function dependencySpec(pkg: PackageJson, name: string): string {
  const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (range === undefined) throw new Error(`package.json does not name ${name}`);
  return `${name}@${range}`;
}

/** A page importing every entry point a browser may: bundled from the installed tarball, it must hold the browser build and nothing Node-only. */
const BROWSER_PAGE = `import * as root from 'nexus-mcp';
import * as mcp from 'nexus-mcp/mcp';
import * as transport from 'nexus-mcp/transport';
import * as browser from 'nexus-mcp/browser';
const client = new root.SimpleMCPClient({ url: 'ws://127.0.0.1:1', transport: { protocols: [browser.tokenSubprotocol('t')] } });
export { root, mcp, transport, browser, client };
`;

async function checkBrowserBundle(project: ConsumerProject): Promise<string[]> {
  const page = join(project.dir, 'browser-page.js');
  writeFileSync(page, BROWSER_PAGE);
  const bundle = await bundleForBrowser(page, { workingDir: project.dir, minify: true });
  const leaks = nodeOnlyInputs(bundle.inputs);
  if (leaks.length > 0) throw new Error(['Node-only modules in the browser bundle:', ...leaks].join('\n'));
  const ours = bundle.inputs.filter((input) => input.startsWith('node_modules/nexus-mcp/'));
  if (!ours.includes('node_modules/nexus-mcp/dist/browser/index.js')) throw new Error(`the browser build is not in the bundle: ${ours.join(', ')}`);
  const nodeEntries = ['dist/index.js', 'dist/mcp/index.js', 'dist/transport/index.js'].filter((file) => ours.includes(`node_modules/nexus-mcp/${file}`));
  if (nodeEntries.length > 0) throw new Error(`the browser condition was passed over for ${nodeEntries.join(', ')}`);
  return [
    `'nexus-mcp', '/mcp', '/transport' and '/browser' all resolve to dist/browser/index.js; ${ours.length} modules of ours, no ws, no Node built-in`,
    `${Math.round(Buffer.byteLength(bundle.code) / 1024)} kB minified`,
  ];
}

/** A page's TypeScript project: DOM, no Node types at all (`types: []`), strict, libraries checked too. */
const BROWSER_TSCONFIG = {
  compilerOptions: { strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
  files: ['browser-types.ts'],
};
const BROWSER_TYPES_PAGE = `import { SimpleMCPClient, WebSocketClientTransport, tokenSubprotocol, type CallToolResult } from 'nexus-mcp/browser';
const client = new SimpleMCPClient({ url: 'wss://example.com/', transport: { protocols: [tokenSubprotocol('t')] } });
export const call: Promise<CallToolResult> = client.callTool('add', { a: 1, b: 2 });
export const transport = new WebSocketClientTransport('wss://example.com/');
`;

async function checkBrowserTypes(project: ConsumerProject): Promise<string[]> {
  writeFileSync(join(project.dir, 'browser-types.ts'), BROWSER_TYPES_PAGE);
  writeFileSync(join(project.dir, 'tsconfig.browser.json'), `${JSON.stringify(BROWSER_TSCONFIG, null, 2)}\n`);
  await typeCheckIn(project, 'tsconfig.browser.json');
  return ["a page importing nexus-mcp/browser type-checks with DOM and no Node types (types: [], skipLibCheck false)"];
}

async function checkConsumer(pkg: PackageJson, entries: readonly EntryPoint[], workDir: string): Promise<void> {
  const fixturesOk = await check('fixtures: one consumer fixture per entry point in package.json exports', () => fixturesMatchEntryPoints(entries));
  const built = await check('build: a clean dist/', cleanBuild);
  let tarball: Tarball | undefined;
  const packed = await check('pack: npm pack', async () => {
    tarball = await pack(root, workDir);
    return [`${tarball.path}: ${tarball.files.length} files, ${Math.round(tarball.bytes / 1024)} kB`];
  }, built);
  await check('tarball contents: only what a consumer needs, and all of it', () => checkTarball(tarball, entries), packed);
  const project = createConsumerProject(join(workDir, 'consumer'), fixturesDir, fixturesOk ? entries : []);
  // ioredis, prom-client and @opentelemetry/api are the optional peers of nexus-mcp/redis, nexus-mcp/metrics and
  // nexus-mcp/tracing: a project that imports those entries installs them.
  const peers = ['ioredis', 'prom-client', '@opentelemetry/api'];
  const installed = await check(`install: the tarball into a fresh project, with ${CONSUMER_TYPES_NODE}, io-ts, ${peers.join(', ')}`, async () => {
    if (tarball === undefined) throw new Error('no tarball');
    await install(project, [tarball.path, CONSUMER_TYPES_NODE, dependencySpec(pkg, 'io-ts'), ...peers.map((peer) => dependencySpec(pkg, peer))]);
    return [`in ${project.dir}`];
  }, packed);
  await check('bin: every command is packed executable, installed, and runs', () => checkBins(pkg, tarball, project), installed);
  await check('browser bundle: esbuild, platform browser, against the installed tarball', () => checkBrowserBundle(project), installed);
  await check('browser types: nexus-mcp/browser without @types/node', () => checkBrowserTypes(project), installed);
  await check(
    'runtime without the optional peer @modelcontextprotocol/sdk: require() and import() of every entry point',
    () => runNode(project, 'load-without-sdk.cjs'),
    installed,
  );
  const sdkInstalled = await check('install: @modelcontextprotocol/sdk, the optional peer that nexus-mcp/sdk serves', async () => {
    await install(project, [dependencySpec(pkg, '@modelcontextprotocol/sdk')]);
    return [];
  }, installed);
  const ready = sdkInstalled && fixturesOk;
  await check('type-check: module nodenext (ESM fixtures and the CommonJS require() file)', () => typeCheckIn(project, project.nodenextConfig), ready);
  await check('type-check: moduleResolution bundler (ESM fixtures)', () => typeCheckIn(project, project.bundlerConfig), ready);
  // tsc emits despite type errors: the runtime checks still say whether the JavaScript works.
  const emitted = ready && existsSync(join(project.dir, project.esmMain));
  await check('run as ESM: every fixture against real sockets on 127.0.0.1', () => runNode(project, project.esmMain), emitted);
  await check(`require() from CommonJS on Node ${process.version}`, () => runNode(project, project.cjsMain), emitted);
  await check('publint --strict on the tarball', async () => lint(await publint(root, tarball?.path ?? '')), packed);
  await check('@arethetypeswrong/cli on the tarball', async () => lint(await attw(root, tarball?.path ?? '')), packed);
}

function lint(outcome: { readonly ok: boolean; readonly lines: readonly string[] }): string[] {
  if (!outcome.ok) throw new Error(outcome.lines.join('\n'));
  return [...outcome.lines];
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const pkg = readPackageJson(join(root, 'package.json'));
  const entries = entryPoints(pkg);
  const typescript = readPackageJson(join(tsc, '../../package.json')).version;
  console.log(`Consumer test of ${pkg.name}@${pkg.version}: node ${process.version}, TypeScript ${typescript}`);
  console.log(`Entry points (package.json exports): ${entries.map((entry) => entry.specifier).join(', ')}`);
  const workDir = mkdtempSync(join(tmpdir(), 'nexus-mcp-consumer-'));
  const removeWorkDir = (): void => {
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killRunning();
      removeWorkDir();
      process.exit(130);
    });
  }
  try {
    await checkConsumer(pkg, entries, workDir);
  } finally {
    removeWorkDir();
    if (keep) console.log(`Kept ${workDir}`);
  }
  const skipped = tally.skip > 0 ? `, ${tally.skip} skipped` : '';
  console.log(`consumer: ${tally.pass} passed, ${tally.fail} failed${skipped}`);
  process.exitCode = tally.fail + tally.skip > 0 ? 1 : 0;
}

await main();
