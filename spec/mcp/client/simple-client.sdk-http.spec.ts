/**
 * Interop: SimpleMCPClient against the official SDK's McpServer over the SDK's own
 * StreamableHTTPServerTransport, on a real port, in both of its reply modes (event streams, the
 * default, and `enableJsonResponse`): tools, progress, a sampling request answered by the
 * client's handler, list changes on the GET stream, a session ended with DELETE, and a response
 * stream the server closes early (SEP-1699 polling) resumed with Last-Event-ID.
 */
import { firstValueFrom } from 'rxjs';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { SimpleMCPClient, type Progress, type SimpleMCPClientOptions } from '../../../src/mcp/index.js';
import { closeAll, track } from '../../support/resources.js';
import { within } from '../../support/sockets.js';
import { recordingFetch, type SentRequest } from '../support/http-client-fixtures.js';
import { startSdkHttpServer } from '../support/sdk-http-fixture.js';

afterEach(closeAll);

function client(url: string, options: SimpleMCPClientOptions = {}): SimpleMCPClient {
  return track(
    new SimpleMCPClient({ url, ...options }).onSampling((params) => ({
      role: 'assistant',
      content: { type: 'text', text: `hello (${params.maxTokens} tokens)` },
      model: 'local-model',
    })),
    (c) => c.disconnect(),
  );
}

const textOf = (result: { content: unknown[] }): string => (result.content[0] as { text: string }).text;

describe.each([
  ['event-stream replies', false],
  ['JSON replies', true],
])('SimpleMCPClient → the SDK’s McpServer over Streamable HTTP, %s', (_mode, jsonResponse) => {
  it('initializes, lists and calls tools, and ends the session with DELETE', async () => {
    const sdk = await startSdkHttpServer({ jsonResponse });
    const mcp = client(sdk.url);
    await mcp.connect();
    expect(mcp.serverInfo).toEqual({ name: 'sdk-http-fixture', version: '1.0.0' });
    expect((await mcp.listTools()).map((tool) => tool.name)).toEqual(['add', 'steps', 'ask', 'ask_aside', 'poll']);
    expect(textOf(await mcp.callTool('add', { a: 40, b: 2 }))).toBe('42');
    await mcp.disconnect();
    expect(sdk.deleted).toHaveLength(1);
  });

  it('answers a sampling request that comes on the GET stream through its handler', async () => {
    const sdk = await startSdkHttpServer({ jsonResponse });
    const mcp = client(sdk.url);
    await mcp.connect();
    expect(textOf(await mcp.callTool('ask_aside'))).toBe('the model said hello (5 tokens)');
  });

  it('hears list changes on the GET stream', async () => {
    const sdk = await startSdkHttpServer({ jsonResponse });
    const mcp = client(sdk.url);
    await mcp.connect();
    const changed = firstValueFrom(mcp.notificationsOf('notifications/tools/list_changed').pipe(within('list_changed')));
    sdk.servers[0]?.registerTool('later', { inputSchema: { x: z.string() } }, ({ x }) => ({ content: [{ type: 'text', text: x }] }));
    expect(await changed).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect((await mcp.listTools()).map((tool) => tool.name)).toContain('later');
  });
});

describe('SimpleMCPClient → the SDK’s McpServer, event-stream replies only', () => {
  it('gets progress before the reply, on the request’s stream', async () => {
    const sdk = await startSdkHttpServer();
    const mcp = client(sdk.url);
    await mcp.connect();
    const progress: Progress[] = [];
    expect(textOf(await mcp.callTool('steps', { n: 3 }, { onProgress: (update) => progress.push(update) }))).toBe('3 steps');
    expect(progress.map((update) => update.progress)).toEqual([1, 2, 3]);
  });

  it('answers a sampling request that comes on the request’s own stream through its handler', async () => {
    const sdk = await startSdkHttpServer();
    const mcp = client(sdk.url);
    await mcp.connect();
    expect(textOf(await mcp.callTool('ask'))).toBe('the model said hello (5 tokens)');
  });

  it('resumes a response stream the server closes early, with Last-Event-ID after its retry delay', async () => {
    const sdk = await startSdkHttpServer({ resumable: { retryMs: 50 } });
    const sent: SentRequest[] = [];
    const mcp = client(sdk.url, { fetch: recordingFetch(sent) });
    await mcp.connect();
    const progress: Progress[] = [];
    expect(textOf(await mcp.callTool('poll', {}, { onProgress: (update) => progress.push(update) }))).toBe('polled');
    expect(progress).toEqual([{ progress: 1 }]);
    const resumed = sent.filter((request) => request.method === 'GET' && request.headers.get('last-event-id') !== null);
    expect(resumed).toHaveLength(1);
  });
});
