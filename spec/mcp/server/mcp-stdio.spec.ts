/**
 * MCPServer over stdio, spawned as MCP hosts spawn servers: the official SDK's StdioClientTransport
 * drives it; a raw child process checks the wire (one JSON object per line, stdout clean).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, track } from '../../support/resources.js';

afterEach(closeAll);

const FIXTURE = ['--import', 'tsx', 'spec/mcp/fixtures/stdio-mcp-server.ts'];

describe('the official SDK client over stdio', () => {
  it('initializes, lists and calls tools, receives progress, and the server exits when its stdin ends', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: FIXTURE, stderr: 'pipe' });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const client = track(new Client({ name: 'sdk-stdio', version: '1.0.0' }), (c) => c.close());
    await client.connect(transport);
    expect(client.getServerVersion()).toMatchObject({ name: 'stdio-fixture' });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['add', 'steps']);
    expect(await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } })).toEqual({ content: [{ type: 'text', text: '42' }] });
    const progress: number[] = [];
    const result = await client.callTool({ name: 'steps', arguments: { n: 3 } }, undefined, { onprogress: ({ progress: p }) => progress.push(p) });
    expect(result).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(progress).toEqual([1, 2, 3]);
    const pid = transport.pid;
    await client.close();
    await expect.poll(() => stderr.join(''), { timeout: 10_000 }).toContain('input ended (1000)');
    expect(pid).toBeGreaterThan(0);
  });
});

describe('the wire', () => {
  it('answers line by line, a malformed line with a parse error, and writes nothing but JSON-RPC to stdout', async () => {
    const child = spawn(process.execPath, FIXTURE, { stdio: ['pipe', 'pipe', 'pipe'] });
    track(child, (c) => c.kill());
    const lines = createInterface({ input: child.stdout });
    const replies: unknown[] = [];
    lines.on('line', (line) => replies.push(JSON.parse(line)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const initialize = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: initialize })}\r\n`);
    child.stdin.write('\n{not json\n');
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    // One request split over two writes, as a pipe may deliver it.
    const call = JSON.stringify({ jsonrpc: '2.0', id: 'c', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    child.stdin.write(call.slice(0, 20));
    child.stdin.write(`${call.slice(20)}\n`);
    // The child compiles its TypeScript first: give it time on a busy machine.
    await expect.poll(() => replies.length, { timeout: 20_000 }).toBe(3);
    expect(replies[0]).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'stdio-fixture' } } });
    // MCP ids are never null: an error about no request in particular carries none.
    expect(replies[1]).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    expect(replies[1]).not.toHaveProperty('id');
    expect(replies[2]).toEqual({ jsonrpc: '2.0', id: 'c', result: { content: [{ type: 'text', text: '3' }] } });
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
