/**
 * SimpleMCPClient over stdio: it starts the server as a child process, as MCP hosts do, and speaks
 * JSON-RPC on its stdin and stdout. Against our own MCPServer (serveStdio) and the official SDK's
 * McpServer over its StdioServerTransport; a server that crashes, and one that cannot start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosedError, SimpleMCPClient, type Progress } from '../../../src/mcp/index.js';
import { closeAll, track } from '../../support/resources.js';

afterEach(closeAll);

const tsx = (script: string): { command: string; args: string[] } => ({ command: process.execPath, args: ['--import', 'tsx', script] });

function stdioClient(script: string, stderr: string[] = []): SimpleMCPClient {
  return track(new SimpleMCPClient({ command: { ...tsx(script), stderr: (line) => stderr.push(line) }, requestTimeoutMs: 30_000 }), (c) => c.disconnect());
}

describe('SimpleMCPClient over stdio', () => {
  it('starts our MCPServer (serveStdio), calls its tools with progress, and stops it on disconnect', async () => {
    const stderr: string[] = [];
    const client = stdioClient('spec/mcp/fixtures/stdio-mcp-server.ts', stderr);
    const init = await client.connect();
    expect(init.serverInfo.name).toBe('stdio-fixture');
    expect((await client.listTools()).map((tool) => tool.name)).toEqual(['add', 'steps']);
    expect(await client.callTool('add', { a: 2, b: 40 })).toEqual({ content: [{ type: 'text', text: '42' }] });
    const progress: Progress[] = [];
    expect(await client.callTool('steps', { n: 3 }, { onProgress: (p) => progress.push(p) })).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    await client.disconnect();
    // Its stdin closed, the server saw its input end and stopped by itself: no signal was needed.
    expect(stderr.join('\n')).toContain('input ended (1000)');
    expect(client.state).toBe('closed');
  });

  it('speaks to the official SDK’s McpServer over its StdioServerTransport', async () => {
    const client = stdioClient('spec/cli/fixtures/stdio-server.ts');
    const init = await client.connect();
    expect(init.serverInfo.name).toBe('cli-fixture');
    expect(await client.callTool('echo', { text: 'over stdio' })).toEqual({ content: [{ type: 'text', text: 'over stdio' }] });
    const progress: Progress[] = [];
    expect(await client.callTool('progress', { n: 2 }, { onProgress: (p) => progress.push(p) })).toEqual({ content: [{ type: 'text', text: '2 steps' }] });
    expect(progress).toEqual([
      { progress: 1, total: 2 },
      { progress: 2, total: 2 },
    ]);
  });

  it('fails the call in flight when the server process dies, and says how it ended', async () => {
    const client = stdioClient('spec/cli/fixtures/stdio-server.ts');
    const problems: Error[] = [];
    client.errors$.subscribe((error) => problems.push(error));
    await client.connect();
    await expect(client.callTool('crash', {})).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect.poll(() => client.state).toBe('closed');
    expect(problems.map((problem) => problem.message)).toContain('The stdio server exited with code 3');
  });

  it('rejects connect() with ConnectionClosedError when the command cannot start', async () => {
    const client = track(new SimpleMCPClient({ command: { command: 'no-such-mcp-server-here' } }), (c) => c.disconnect());
    const refused = await client.connect().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectionClosedError);
    expect((refused as Error).message).toMatch(/Could not connect to stdio:no-such-mcp-server-here: .*ENOENT/);
  });
});
