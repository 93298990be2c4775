/**
 * Structured tools (an `output` codec) may return the output value or a full `CallToolResult`
 * with `structuredContent`, as SDK users write it; either way `structuredContent` is validated
 * against the output codec, on the wire and for the official SDK client, which checks it against
 * the published `outputSchema`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import * as t from 'io-ts';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MCPServer } from '../../../src/mcp/index.js';
import { closeAll, RawMcpClient, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

const Weather = t.type({ celsius: t.number, when: t.string });

function registerWeatherTools(server: MCPServer): void {
  server.registerTool('value', { input: t.type({}), output: Weather }, () => ({ celsius: 20, when: 'now' }));
  server.registerTool('full', { input: t.type({}), output: Weather }, () => ({
    content: [{ type: 'text', text: 'It is 20 degrees now' }],
    structuredContent: { celsius: 20, when: 'now' },
  }));
  server.registerTool('full_without_blocks', { input: t.type({}), output: Weather }, () => ({ content: [], structuredContent: { celsius: 20, when: 'now' } }));
  server.registerTool('full_invalid', { input: t.type({}), output: Weather }, () => ({
    content: [{ type: 'text', text: 'warm' }],
    structuredContent: { celsius: 'warm', when: 'now' } as unknown as t.TypeOf<typeof Weather>,
  }));
  server.registerTool('full_error', { input: t.type({}), output: Weather }, () => ({ content: [{ type: 'text', text: 'the sensor is offline' }], isError: true as const }));
  server.registerTool('full_malformed', { input: t.type({}), output: Weather }, () => ({ content: [{ type: 'picture' }], isError: true }) as never);
}

describe('a structured tool returning a full result', () => {
  it('keeps its content blocks and validates its structuredContent', async () => {
    const { url, server } = await startMcpServer({}, registerWeatherTools);
    const outcomes = firstValueFrom(server.toolCalls$.pipe(take(6), toArray()));
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    const call = async (name: string): Promise<unknown> => (await client.request('tools/call', { name }))['result'];

    expect(await call('value')).toEqual({ content: [{ type: 'text', text: '{"celsius":20,"when":"now"}' }], structuredContent: { celsius: 20, when: 'now' } });
    expect(await call('full')).toEqual({ content: [{ type: 'text', text: 'It is 20 degrees now' }], structuredContent: { celsius: 20, when: 'now' } });
    // No blocks of its own: the JSON of structuredContent is added, for clients that read only content.
    expect(await call('full_without_blocks')).toEqual({ content: [{ type: 'text', text: '{"celsius":20,"when":"now"}' }], structuredContent: { celsius: 20, when: 'now' } });
    expect(await call('full_invalid')).toEqual({
      content: [{ type: 'text', text: 'Tool "full_invalid" produced output that does not match its output schema: structuredContent.celsius: expected a number, got "warm"' }],
      isError: true,
    });
    expect(await call('full_error')).toEqual({ content: [{ type: 'text', text: 'the sensor is offline' }], isError: true });
    expect(await call('full_malformed')).toEqual({ content: [{ type: 'text', text: 'Tool "full_malformed" failed with an internal error' }], isError: true });
    expect((await outcomes).map(({ name, outcome }) => [name, outcome])).toEqual([
      ['value', 'ok'],
      ['full', 'ok'],
      ['full_without_blocks', 'ok'],
      ['full_invalid', 'invalid_output'],
      ['full_error', 'tool_error'],
      ['full_malformed', 'failed'],
    ]);
  });

  it('takes every value as the output value when the output codec has a content or structuredContent field', async () => {
    const Page = t.type({ content: t.array(t.string), isError: t.boolean });
    const { url } = await startMcpServer({}, (s) => {
      s.registerTool('page', { input: t.type({}), output: Page }, () => ({ content: ['line 1'], isError: true }));
    });
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    expect((await client.request('tools/call', { name: 'page' }))['result']).toEqual({
      content: [{ type: 'text', text: '{"content":["line 1"],"isError":true}' }],
      structuredContent: { content: ['line 1'], isError: true },
    });
  });

  it('gives the official SDK client what it validates against the published outputSchema', async () => {
    const { url } = await startMcpServer({}, registerWeatherTools);
    const client = track(new Client({ name: 'sdk-structured', version: '1.0.0' }), (c) => c.close());
    await client.connect(new WebSocketClientTransport(new URL(url)));
    await client.listTools(); // the SDK validates structuredContent only for tools it has listed
    expect(await client.callTool({ name: 'full' })).toEqual({
      content: [{ type: 'text', text: 'It is 20 degrees now' }],
      structuredContent: { celsius: 20, when: 'now' },
    });
    expect(await client.callTool({ name: 'full_error' })).toEqual({ content: [{ type: 'text', text: 'the sensor is offline' }], isError: true });
  });
});
