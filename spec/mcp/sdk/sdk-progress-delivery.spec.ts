/**
 * Progress that survives the official SDK client. The SDK (1.32) handles a notification a
 * microtask after reading it but a response at once, dropping the request's progress handler with
 * it; progress read in the same chunk as its response is lost. The server therefore sends such a
 * reply only once the client has read the notifications before it (notification-receipt.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MCPServer } from '../../../src/mcp/index.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  // Node 20 has no global WebSocket; the SDK transport needs one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

/** Reports progress three times and returns at once: all four frames leave back to back. */
function registerBurst(server: MCPServer): void {
  server.registerTool('burst', { input: t.type({}) }, (_args, ctx) => {
    ctx.progress(1, 3, 'one');
    ctx.progress(2, 3, 'two');
    ctx.progress(3, 3, 'three');
    return 'done';
  });
}

async function connectSdkClient(url: string): Promise<Client> {
  const client = track(new Client({ name: 'sdk-progress', version: '1.0.0' }), (c) => c.close());
  await client.connect(new WebSocketClientTransport(new URL(url)));
  return client;
}

describe.each([
  ['the transport', {}],
  ['the plain ws path', { useTransport: false }],
] as const)('the official SDK client on %s', (_host, hostOptions) => {
  it('gets every progress notification of 100 calls to a tool that returns right after reporting', async () => {
    const { url } = await startMcpServer(hostOptions, registerBurst);
    const client = await connectSdkClient(url);
    const perCall: Progress[][] = [];
    for (let call = 0; call < 100; call += 1) {
      const updates: Progress[] = [];
      const result = await client.callTool({ name: 'burst', arguments: {} }, undefined, { onprogress: (progress) => updates.push(progress) });
      expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
      perCall.push(updates);
    }
    expect(perCall.flat()).toHaveLength(300);
    expect(new Set(perCall.map((updates) => JSON.stringify(updates)))).toEqual(
      new Set([JSON.stringify([{ progress: 1, total: 3, message: 'one' }, { progress: 2, total: 3, message: 'two' }, { progress: 3, total: 3, message: 'three' }])]),
    );
  });

});

describe('the official SDK client in a process of its own', () => {
  const fixture = fileURLToPath(new URL('../support/sdk-progress-client.ts', import.meta.url));

  it.each([
    ['one after another', 1],
    ['50 at a time', 50],
  ])('gets every progress notification of 100 calls, %s', async (_how, concurrency) => {
    const { url } = await startMcpServer({}, registerBurst);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, url, '100', String(concurrency)]);
    expect(JSON.parse(stdout.trim())).toEqual({ calls: 100, progress: 300, callsMissingProgress: 0 });
  });
});
