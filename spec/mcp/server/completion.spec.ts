/**
 * `completion/complete`: completers declared on prompt arguments and resource template variables,
 * at most 100 values with `total` and `hasMore`, the spec's -32602 for an unknown reference, over
 * the wire and with the official SDK client.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { McpError as SdkMcpError } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MCPServer, SimpleMCPClient } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll, modernMeta, RawMcpClient, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

const LANGUAGES = ['de', 'en', 'es', 'fr', 'it'];
const NUMBERS = Array.from({ length: 250 }, (_, i) => `n${i}`);

function registerCompleted(server: MCPServer): void {
  server.registerPrompt(
    'translate',
    {
      args: t.type({ from: t.string, to: t.string, text: t.string }),
      complete: {
        from: (value) => LANGUAGES.filter((code) => code.startsWith(value)),
        // The context carries the arguments already chosen.
        to: (value, { arguments: chosen }) => LANGUAGES.filter((code) => code.startsWith(value) && code !== chosen['from']),
      },
    },
    ({ from, to, text }) => `Translate from ${from} to ${to}: ${text}`,
  );
  server.registerPrompt('numbers', { args: t.type({ n: t.string }), complete: { n: (value) => NUMBERS.filter((n) => n.startsWith(value)) } }, () => 'x');
  server.registerPrompt('paged', { args: t.type({ q: t.string }), complete: { q: () => ({ values: ['a', 'b'], total: 1000 }) } }, () => 'x');
  server.registerPrompt('broken', { args: t.type({ q: t.string, r: t.string }), complete: { q: () => Promise.reject(new Error('db password wrong')), r: () => [1, 2] as never } }, () => 'x');
  server.registerResourceTemplate(
    'users://{team}/{id}',
    { name: 'user', complete: { team: (value) => ['core', 'web'].filter((team) => team.startsWith(value)), id: (_value, { arguments: vars }) => (vars['team'] === 'core' ? ['ada', 'alan'] : ['tim']) } },
    (uri) => uri,
  );
  server.registerResource('memo://fixed', { name: 'fixed' }, () => 'fixed');
}

async function initialized(url: string): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  return client;
}

describe('completion/complete', () => {
  it('declares the completions capability and completes prompt arguments with their context', async () => {
    const { url } = await startMcpServer({}, registerCompleted);
    const client = await RawMcpClient.connect(url);
    expect((await client.initialize())['capabilities']).toMatchObject({ completions: {} });
    client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const complete = async (params: JsonObject): Promise<unknown> => (await client.request('completion/complete', params))['result'];
    expect(await complete({ ref: { type: 'ref/prompt', name: 'translate' }, argument: { name: 'from', value: 'e' } })).toEqual({ completion: { values: ['en', 'es'], total: 2, hasMore: false } });
    expect(
      await complete({ ref: { type: 'ref/prompt', name: 'translate' }, argument: { name: 'to', value: 'e' }, context: { arguments: { from: 'en' } } }),
    ).toEqual({ completion: { values: ['es'], total: 1, hasMore: false } });
    // An argument without a completer has nothing to suggest.
    expect(await complete({ ref: { type: 'ref/prompt', name: 'translate' }, argument: { name: 'text', value: '' } })).toEqual({ completion: { values: [], total: 0, hasMore: false } });
  });

  it('sends at most 100 values, saying how many there are and that there are more', async () => {
    const { url } = await startMcpServer({}, registerCompleted);
    const client = await initialized(url);
    const numbers = (await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'numbers' }, argument: { name: 'n', value: 'n' } }))['result'] as {
      completion: { values: string[]; total: number; hasMore: boolean };
    };
    expect(numbers.completion.values).toEqual(NUMBERS.slice(0, 100));
    expect({ total: numbers.completion.total, hasMore: numbers.completion.hasMore }).toEqual({ total: 250, hasMore: true });
    expect((await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'paged' }, argument: { name: 'q', value: '' } }))['result']).toEqual({
      completion: { values: ['a', 'b'], total: 1000, hasMore: true },
    });
  });

  it('completes resource template variables; a fixed resource has nothing to suggest', async () => {
    const { url } = await startMcpServer({}, registerCompleted);
    const client = await initialized(url);
    const complete = async (uri: string, name: string, value: string, context?: object): Promise<unknown> =>
      (await client.request('completion/complete', { ref: { type: 'ref/resource', uri }, argument: { name, value }, ...(context ? { context } : {}) }))['result'];
    expect(await complete('users://{team}/{id}', 'team', 'c')).toEqual({ completion: { values: ['core'], total: 1, hasMore: false } });
    expect(await complete('users://{team}/{id}', 'id', '', { arguments: { team: 'core' } })).toEqual({ completion: { values: ['ada', 'alan'], total: 2, hasMore: false } });
    expect(await complete('memo://fixed', 'anything', '')).toEqual({ completion: { values: [], total: 0, hasMore: false } });
  });

  it('answers -32602 for an unknown prompt or template and for a malformed ref, -32603 when a completer fails', async () => {
    const { url, server } = await startMcpServer({}, registerCompleted);
    const client = await initialized(url);
    const error = async (params: JsonObject): Promise<unknown> => (await client.request('completion/complete', params))['error'];
    expect(await error({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'a', value: '' } })).toEqual({ code: -32602, message: 'Unknown prompt', data: { name: 'nope' } });
    expect(await error({ ref: { type: 'ref/resource', uri: 'users://{x}' }, argument: { name: 'x', value: '' } })).toEqual({
      code: -32602,
      message: 'Unknown resource template',
      data: { uri: 'users://{x}' },
    });
    expect(await error({ ref: { type: 'ref/tool', name: 'x' }, argument: { name: 'a', value: '' } })).toMatchObject({ code: -32602 });
    const reported = firstValueFrom(server.errors$);
    expect(await error({ ref: { type: 'ref/prompt', name: 'broken' }, argument: { name: 'q', value: '' } })).toEqual({ code: -32603, message: 'Completing "q" failed with an internal error' });
    expect(String((await reported).error)).toContain('db password wrong');
    expect(await error({ ref: { type: 'ref/prompt', name: 'broken' }, argument: { name: 'r', value: '' } })).toEqual({ code: -32603, message: 'Completing "r" failed with an internal error' });
  });

  it('is served in the 2026-07-28 era too', async () => {
    const { url } = await startMcpServer({}, registerCompleted);
    const client = await RawMcpClient.connect(url);
    const result = (await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'translate' }, argument: { name: 'from', value: 'f' }, _meta: modernMeta() }))['result'];
    expect(result).toMatchObject({ completion: { values: ['fr'], total: 1, hasMore: false }, resultType: 'complete' });
  });

  it('refuses completers for arguments or variables that do not exist, at registration', () => {
    const server = new MCPServer();
    expect(() => server.registerPrompt('p', { args: t.type({ a: t.string }), complete: { b: () => [] } as never }, () => 'x')).toThrow(
      'Prompt "p" has a completer for "b", which is not one of its arguments: a',
    );
    expect(() => server.registerResourceTemplate('x://{id}', { name: 'x', complete: { name: () => [] } }, (uri) => uri)).toThrow(
      'Resource template "x://{id}" has a completer for "name", which is not one of its variables: id',
    );
  });

  it('is what SimpleMCPClient.complete asks for', async () => {
    const { port } = await startMcpServer({}, registerCompleted);
    const client = track(new SimpleMCPClient({ host: '127.0.0.1', port, transport: { heartbeat: false } }), (c) => c.disconnect());
    await client.connect();
    expect(await client.complete({ type: 'ref/prompt', name: 'translate' }, { name: 'to', value: '' }, { context: { from: 'en' } })).toEqual({
      values: ['de', 'es', 'fr', 'it'],
      total: 4,
      hasMore: false,
    });
    expect(await client.complete({ type: 'ref/resource', uri: 'users://{team}/{id}' }, { name: 'id', value: '' }, { context: { team: 'web' } })).toEqual({
      values: ['tim'],
      total: 1,
      hasMore: false,
    });
    await expect(client.complete({ type: 'ref/prompt', name: 'nope' }, { name: 'a', value: '' })).rejects.toMatchObject({ code: -32602, message: 'Unknown prompt' });
  });

  it('works with the official SDK client', async () => {
    const { url } = await startMcpServer({}, registerCompleted);
    const client = track(new Client({ name: 'sdk-complete', version: '1.0.0' }), (c) => c.close());
    await client.connect(new WebSocketClientTransport(new URL(url)));
    expect(client.getServerCapabilities()?.completions).toEqual({});
    expect(await client.complete({ ref: { type: 'ref/prompt', name: 'translate' }, argument: { name: 'to', value: '' }, context: { arguments: { from: 'de' } } })).toEqual({
      completion: { values: ['en', 'es', 'fr', 'it'], total: 4, hasMore: false },
    });
    expect(await client.complete({ ref: { type: 'ref/resource', uri: 'users://{team}/{id}' }, argument: { name: 'team', value: 'w' } })).toEqual({
      completion: { values: ['web'], total: 1, hasMore: false },
    });
    await expect(client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'a', value: '' } })).rejects.toBeInstanceOf(SdkMcpError);
  });
});
