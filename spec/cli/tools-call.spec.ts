/**
 * `nexus-mcp tools` and `nexus-mcp call` against the demo server (examples/demo-server.ts, what
 * `npm start` runs), started as its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { filter, firstValueFrom, fromEvent, map, scan, timeout } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAll } from '../support/resources.js';
import { unusedPort } from '../support/sockets.js';
import { CliProcess, repoRoot } from './support/cli-process.js';
import { runInProcess } from './support/in-process.js';

let demo: ChildProcess | undefined;
let url = '';
/** The demo server answers Streamable HTTP on the same port and path as WebSocket. */
const httpUrl = (): string => url.replace(/^ws:/, 'http:');

beforeAll(async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo-server.ts'], { cwd: repoRoot, env: { ...process.env, PORT: '0' } });
  demo = child;
  url = await firstValueFrom(
    fromEvent(child.stdout, 'data', (chunk: Buffer) => chunk.toString()).pipe(
      scan((text, chunk) => text + chunk, ''),
      map((text) => /listening on (ws:\/\/\S+)/.exec(text)?.[1]),
      filter((found): found is string => found !== undefined),
      timeout(30_000),
    ),
  );
}, 40_000);

afterAll(async () => {
  if (!demo || demo.exitCode !== null) return;
  const exited = new Promise((resolve) => demo?.once('exit', resolve));
  demo.kill('SIGINT');
  await exited;
});
afterEach(closeAll);

describe('nexus-mcp tools', () => {
  it('prints every tool of the demo server as pretty JSON, and exits with 0', async () => {
    const run = await CliProcess.run(['tools', url]);
    expect(run.code).toBe(0);
    const tools = JSON.parse(run.stdout) as { name: string; inputSchema: { type: string } }[];
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'clock', 'count', 'echo', 'weather']);
    expect(tools.every((tool) => tool.inputSchema.type === 'object')).toBe(true);
    expect(run.stdout.split('\n').length).toBeGreaterThan(tools.length);
  });

  it('prints one line with --json', async () => {
    const run = await runInProcess(['tools', url, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect((JSON.parse(run.stdout) as unknown[]).length).toBe(5);
  });

  it('exits with 1, and nothing on stdout, when nothing listens at the URL', async () => {
    const run = await runInProcess(['tools', `ws://127.0.0.1:${await unusedPort()}`, '--timeout-ms', '5000']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toBe('');
  });
});

describe('nexus-mcp call', () => {
  it('calls a tool with JSON arguments and prints its result', async () => {
    const run = await CliProcess.run(['call', url, 'add', '{"a": 2, "b": 40}']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ content: [{ type: 'text', text: '42' }] });
  });

  it('prints structured output, compact with --json', async () => {
    const run = await runInProcess(['call', url, 'weather', '{"city":"Oslo"}', '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ structuredContent: { city: 'Oslo', celsius: 22, sky: 'cloudy' } });
  });

  it('takes no arguments as {}', async () => {
    const run = await runInProcess(['call', url, 'clock']);
    expect(run.code).toBe(0);
    const text = (JSON.parse(run.stdout) as { content: { text: string }[] }).content[0]?.text ?? '';
    expect(Number.isNaN(Date.parse(text))).toBe(false);
  });

  it('prints a tool error result and exits with 1', async () => {
    const run = await runInProcess(['call', url, 'count', '{"n": 0}']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ isError: true });
  });

  it('exits with 1 for a tool the server does not have, naming the server error code', async () => {
    const run = await runInProcess(['call', url, 'no_such_tool']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('-32602');
  });
});

describe('over Streamable HTTP (http:// URLs)', () => {
  it('lists the tools', async () => {
    const run = await runInProcess(['tools', httpUrl(), '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { name: string }[]).map((tool) => tool.name).sort()).toEqual(['add', 'clock', 'count', 'echo', 'weather']);
  });

  it('calls a tool, as a process of its own', async () => {
    const run = await CliProcess.run(['call', httpUrl(), 'weather', '{"city":"Oslo"}', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ structuredContent: { city: 'Oslo', celsius: 22, sky: 'cloudy' } });
  });

  it('exits with 1 naming the server error code for a tool the server does not have', async () => {
    const run = await runInProcess(['call', httpUrl(), 'no_such_tool']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('-32602');
  });

  it('exits with 1 and says why when nothing listens at the URL', async () => {
    const run = await runInProcess(['tools', `http://127.0.0.1:${await unusedPort()}/mcp`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/ECONNREFUSED/);
  });
});

describe('over stdio (a command after --)', () => {
  const demoOnStdio = ['--', process.execPath, '--import', 'tsx', 'examples/demo-server.ts', '--stdio'];

  it('starts the demo as a stdio server, lists its tools, and passes its log on to stderr', async () => {
    const run = await runInProcess(['tools', '--json', ...demoOnStdio]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { name: string }[]).map((tool) => tool.name).sort()).toEqual(['add', 'clock', 'count', 'echo', 'weather']);
    expect(run.stderr).toContain('MCP demo server on stdio');
  });

  it('calls a tool, as a process of its own, and the server stops with it', async () => {
    const run = await CliProcess.run(['call', 'add', '{"a": 2, "b": 40}', '--json', ...demoOnStdio]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ content: [{ type: 'text', text: '42' }] });
    expect(run.stderr).toContain('stopping…');
  });

  it('refuses a URL and a command together, and a -- with nothing after it', async () => {
    const both = await runInProcess(['call', url, 'add', ...demoOnStdio]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give a URL or a command after --, not both');
    const empty = await runInProcess(['tools', '--']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('give the stdio server command after --');
  });

  it('exits with 1 when the command cannot be started', async () => {
    const run = await runInProcess(['tools', '--', 'no-such-mcp-server-here']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ENOENT/);
  });
});
