/** Runs a `nexus-mcp` command line in this process (`runCli`), with stdin empty and the output captured. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/run-cli.js';

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInProcess(argv: readonly string[]): Promise<InProcessRun> {
  const stdin = new PassThrough();
  stdin.end();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runCli(argv, { stdin, stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}
