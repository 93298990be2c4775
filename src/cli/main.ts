#!/usr/bin/env node
/**
 * The `nexus-mcp` command: `connect` (a stdio ↔ WebSocket bridge), `expose` (a stdio MCP server
 * served over WebSocket, one child per client), `tools` and `call`. See docs/cli.md.
 */
import { flushed } from './lines.js';
import { runCli } from './run-cli.js';

const stop = new AbortController();
// The first SIGINT/SIGTERM asks the command to end cleanly; a second one gets Node's default (exit at once).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit now: a long-running command may leave handles (stdin, a timer) that no longer matter.
process.exit(code);
