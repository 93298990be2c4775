import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, fromEvent, map, scan, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SimpleMCPClient, type Progress } from '../../src/mcp/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('examples/demo-server.ts (npm start)', () => {
  it('serves MCP with its demo tools until Ctrl-C, then exits with 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo-server.ts'], { cwd: repoRoot, env: { ...process.env, PORT: '0' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await firstValueFrom(
        fromEvent(child.stdout, 'data', (chunk: Buffer) => chunk.toString()).pipe(
          scan((text, chunk) => text + chunk, ''),
          map((text) => /listening on (ws:\/\/\S+)/.exec(text)?.[1]),
          filter((found): found is string => found !== undefined),
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
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
