import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, fromEvent, map, scan, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SimpleMCPClient, type Progress } from '../../src/mcp/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('examples/demo-server.ts (npm start)', () => {
  it('serves MCP with its demo tools until Ctrl-C, then exits with 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo-server.ts'], { cwd: repoRoot, env: { ...process.env, PORT: '0' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const { url, httpUrl } = await firstValueFrom(
        fromEvent(child.stdout, 'data', (chunk: Buffer) => chunk.toString()).pipe(
          scan((text, chunk) => text + chunk, ''),
          map((text) => /listening on (ws:\/\/\S+) and (http:\/\/\S+)/.exec(text)),
          filter((found): found is RegExpExecArray => found !== null),
          map((found) => ({ url: found[1] ?? '', httpUrl: found[2] ?? '' })),
          timeout(30_000),
        ),
      );
      const client = new SimpleMCPClient({ url, transport: { reconnect: false, heartbeat: false } });
      try {
        const init = await client.connect();
        expect(init.serverInfo).toEqual({ name: 'nexus-mcp-demo', version: '0.1.0' });
        expect((await client.listTools()).map((tool) => tool.name)).toEqual(['add', 'clock', 'count', 'echo', 'weather']);
        expect(await client.callTool('add', { a: 2, b: 40 })).toEqual({ content: [{ type: 'text', text: '42' }] });
        const progress: Progress[] = [];
        expect(await client.callTool('count', { n: 2 }, { onProgress: (p) => progress.push(p) })).toEqual({ content: [{ type: 'text', text: 'counted to 2' }] });
        expect(progress).toEqual([
          { progress: 1, total: 2, message: '1 of 2' },
          { progress: 2, total: 2, message: '2 of 2' },
        ]);
        expect((await client.callTool('weather', { city: 'Oslo' })).structuredContent).toEqual({ city: 'Oslo', celsius: 22, sky: 'cloudy' });
        expect(await client.callTool('count', { n: 0 })).toEqual({ content: [{ type: 'text', text: 'n must be between 1 and 100' }], isError: true });
        expect(await client.readResource('notes://welcome')).toEqual({
          contents: [{ uri: 'notes://welcome', mimeType: 'text/markdown', text: '# nexus-mcp demo\n\nMCP over WebSocket. Try the tools `add`, `count` and `weather`.' }],
        });
        expect(await client.getPrompt('explain', { topic: 'WebSockets' })).toEqual({
          description: 'Asks for an explanation of a topic',
          messages: [{ role: 'user', content: { type: 'text', text: 'Explain WebSockets in three short paragraphs.' } }],
        });
      } finally {
        await client.disconnect();
      }
      // The same server, the same port, over Streamable HTTP.
      const sdk = new Client({ name: 'demo-over-http', version: '1.0.0' });
      try {
        await sdk.connect(new StreamableHTTPClientTransport(new URL(httpUrl)));
        expect(new URL(httpUrl).port).toBe(new URL(url).port);
        expect(await sdk.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).toEqual({ content: [{ type: 'text', text: '3' }] });
      } finally {
        await sdk.close();
      }
      // The same port serves the dashboard (to this machine) and the readiness probe.
      const page = await fetch(`${httpUrl}/dashboard`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script src=');
      expect(await (await fetch(`${httpUrl}/readyz`)).text()).toBe('ready');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('serves stdio with --stdio, speaking only JSON-RPC on stdout, and exits when its input ends', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'examples/demo-server.ts', '--stdio'], cwd: repoRoot, stderr: 'pipe' });
    const said: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => said.push(chunk.toString()));
    const client = new Client({ name: 'demo-over-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toEqual({ name: 'nexus-mcp-demo', version: '0.1.0' });
      expect(await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })).toEqual({ content: [{ type: 'text', text: '42' }] });
      const progress: number[] = [];
      await client.callTool({ name: 'count', arguments: { n: 2 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(progress).toEqual([1, 2]);
    } finally {
      await client.close();
    }
    await expect.poll(() => said.join(''), { timeout: 10_000 }).toContain('stopping');
  }, 60_000);
});
