/**
 * The command line itself: help, usage errors (exit 2, on stderr, pointing at --help), the version,
 * and the package's `bin`. Runs `runCli` in this process: nothing here opens a socket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './support/in-process.js';
import { CliProcess } from './support/cli-process.js';

const commands = ['connect', 'expose', 'tools', 'call'];
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};

describe('nexus-mcp help', () => {
  it('lists every command on --help (stdout, exit 0), and on no arguments (stderr, exit 2)', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    for (const name of commands) expect(help.stdout).toContain(name);
    const bare = await runInProcess([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    for (const name of commands) expect(bare.stderr).toContain(name);
  });

  it.each(commands)('%s --help prints its usage on stdout and exits with 0, whatever else is on the line', async (name) => {
    for (const argv of [[name, '--help'], [name, '-h', '--no-such-option'], ['help', name]]) {
      const run = await runInProcess(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: nexus-mcp ${name} `));
      expect(run.stdout).toContain('Exit codes');
      expect(run.stderr).toBe('');
    }
  });

  it('prints the package version', async () => {
    expect(await runInProcess(['--version'])).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });
});

describe('usage errors exit with 2 and say what is wrong on stderr', () => {
  it.each([
    ['an unknown command', ['serve']],
    ['an unknown option', ['connect', 'ws://127.0.0.1:1', '--bogus']],
    ['a missing URL', ['tools']],
    ['a missing tool name', ['call', 'ws://127.0.0.1:1']],
    ['an extra argument', ['tools', 'ws://127.0.0.1:1', 'extra']],
    ['no URL at all', ['tools', 'not a url']],
    ['a scheme that is no MCP transport', ['call', 'ftp://127.0.0.1/', 'add']],
    ['an http URL for connect (WebSocket only so far)', ['connect', 'http://127.0.0.1:1/mcp']],
    ['a malformed header', ['connect', 'ws://127.0.0.1:1', '--header', 'no colon here']],
    ['--token beside an Authorization header', ['tools', 'ws://127.0.0.1:1', '--token', 't', '--header', 'Authorization: Basic x']],
    ['a negative retry count', ['connect', 'ws://127.0.0.1:1', '--retries', '-1']],
    ['tool arguments that are not JSON', ['call', 'ws://127.0.0.1:1', 'add', '{a: 1}']],
    ['tool arguments that are not an object', ['call', 'ws://127.0.0.1:1', 'add', '[1, 2]']],
    ['tool arguments with a __proto__ key', ['call', 'ws://127.0.0.1:1', 'add', '{"__proto__": {"x": 1}}']],
    ['expose without a command after --', ['expose', '--port', '0']],
    ['expose with nothing after --', ['expose', '--port', '0', '--']],
    ['a port out of range', ['expose', '--port', '70000', '--', 'node']],
    ['a path without its slash', ['expose', '--path', 'mcp', '--', 'node']],
    ['a cap of zero children', ['expose', '--max-children', '0', '--', 'node']],
  ])('%s', async (_what, argv) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toBe('');
    if (argv[0] !== 'serve') expect(run.stderr).toContain(`nexus-mcp ${argv[0] ?? ''} --help`);
  });
});

describe('the nexus-mcp executable', () => {
  it('is the package bin, shipped with the build, and starts with a shebang', () => {
    expect(packageJson.bin).toEqual({ 'nexus-mcp': './dist/cli/main.js' });
    expect(packageJson.files).toContain('dist/**/*.js');
    expect(readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('exits with the code of its command: 2 for a usage error, 0 for help', async () => {
    const usage = await CliProcess.run(['connect']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing <ws-url>');
    const help = await CliProcess.run(['tools', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: nexus-mcp tools/);
  });
});
