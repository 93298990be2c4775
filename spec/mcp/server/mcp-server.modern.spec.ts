/**
 * The stateless 2026-07-28 revision on the same server (and the same connections) as the legacy
 * handshake: per-request _meta, server/discover, resultType, cache hints, subscriptions/listen.
 */
import * as t from 'io-ts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer } from '../../../src/mcp/index.js';
import { closeAll, modernMeta, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

const SERVER_INFO = { 'io.modelcontextprotocol/serverInfo': { name: 'dual', version: '2.0.0' } };
const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId';

function setup(server: MCPServer): void {
  server.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }, ctx) => {
    ctx.log('info', `echo ${text}`);
    ctx.log('debug', 'noise');
    return text;
  });
  server.registerResource('memo://one', { name: 'one' }, () => 'first');
}

async function dualServer(options: Parameters<typeof startMcpServer>[0] = {}): Promise<{ server: MCPServer; url: string }> {
  return startMcpServer({ name: 'dual', version: '2.0.0', instructions: 'Modern or not.', ...options }, setup);
}

describe('2026-07-28 requests', () => {
  it('server/discover names the versions, capabilities, instructions and cache hints', async () => {
    const { url } = await dualServer({ cache: { ttlMs: 30_000, scope: 'public' } });
    const client = await RawMcpClient.connect(url);
    expect(await client.request('server/discover', { _meta: modernMeta() }, 'd')).toEqual({
      jsonrpc: '2.0',
      id: 'd',
      result: {
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
        instructions: 'Modern or not.',
        ttlMs: 30_000,
        cacheScope: 'public',
        resultType: 'complete',
        _meta: SERVER_INFO,
      },
    });
  });

  it('serves requests without initialize, with resultType, cache hints on lists and reads, and serverInfo', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    expect((await client.request('tools/list', { _meta: modernMeta() }))['result']).toEqual({
      tools: [{ name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } }],
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: SERVER_INFO,
    });
    expect((await client.request('tools/call', { name: 'echo', arguments: { text: 'hi' }, _meta: modernMeta() }))['result']).toEqual({
      content: [{ type: 'text', text: 'hi' }],
      resultType: 'complete',
      _meta: SERVER_INFO,
    });
    expect((await client.request('resources/read', { uri: 'memo://one', _meta: modernMeta() }))['result']).toMatchObject({ ttlMs: 0, cacheScope: 'private', resultType: 'complete' });
  });

  it('answers an unknown version with -32022 and { supported, requested }', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    const response = await client.request('tools/list', { _meta: modernMeta({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) }, 1);
    expect(response['error']).toEqual({
      code: -32022,
      message: 'Unsupported protocol version',
      data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '2099-01-01' },
    });
  });

  it('requires clientCapabilities in _meta, naming the path', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    const response = await client.request('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }, 1);
    expect(response['error']).toEqual({
      code: -32602,
      message: 'Invalid request _meta: params._meta["io.modelcontextprotocol/clientCapabilities"]: is required (expected an object)',
    });
  });

  it('does not serve logging/setLevel; sends log messages only at the level the request asks for', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    expect((await client.request('logging/setLevel', { level: 'info', _meta: modernMeta() }))['error']).toEqual({
      code: -32601,
      message: 'Method not available in protocol revision 2026-07-28',
      data: { method: 'logging/setLevel' },
    });
    await client.request('tools/call', { name: 'echo', arguments: { text: 'quiet' }, _meta: modernMeta() });
    await client.request('tools/call', { name: 'echo', arguments: { text: 'loud' }, _meta: modernMeta({ 'io.modelcontextprotocol/logLevel': 'info' }) });
    const logged = client.received.filter((frame) => frame.json?.['method'] === 'notifications/message').map((frame) => frame.json?.['params']);
    expect(logged).toEqual([{ level: 'info', data: 'echo loud' }]);
  });

  it('answers an unknown resource with -32602 rather than the retired -32002', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    expect((await client.request('resources/read', { uri: 'memo://none', _meta: modernMeta() }))['error']).toEqual({
      code: -32602,
      message: 'Resource not found',
      data: { uri: 'memo://none' },
    });
  });

  it('announces a modern session on sessions$ at its first request', async () => {
    const { url, server } = await dualServer();
    const opened = firstValueFrom(server.sessions$);
    const client = await RawMcpClient.connect(url);
    await client.request('tools/list', { _meta: modernMeta() });
    expect(await opened).toMatchObject({ type: 'opened', era: 'modern', protocolVersion: '2026-07-28', clientInfo: { name: 'modern-spec-client', version: '2.0.0' } });
  });

  it('serves both eras on one connection', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    expect((await client.request('tools/list'))['result']).not.toHaveProperty('resultType');
    expect((await client.request('tools/list', { _meta: modernMeta() }))['result']).toHaveProperty('resultType', 'complete');
  });
});

describe('subscriptions/listen', () => {
  it('acknowledges first, then delivers only the requested notifications tagged with the listen id', async () => {
    const { url, server } = await dualServer();
    const client = await RawMcpClient.connect(url);
    client.send({
      jsonrpc: '2.0',
      id: 'listen-1',
      method: 'subscriptions/listen',
      params: { notifications: { toolsListChanged: true, promptsListChanged: false, resourceSubscriptions: ['memo://one'] }, _meta: modernMeta() },
    });
    const ack = await client.notification('notifications/subscriptions/acknowledged');
    expect(ack).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['memo://one'] }, _meta: { [SUBSCRIPTION]: 'listen-1' } },
    });
    server.registerPrompt('ignored', {}, () => 'not asked for');
    server.registerTool('late', { input: t.type({}) }, () => 'late');
    expect(await client.notification('notifications/tools/list_changed')).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { [SUBSCRIPTION]: 'listen-1' } },
    });
    server.notifyResourceUpdated('memo://one');
    expect((await client.notification('notifications/resources/updated'))['params']).toEqual({ uri: 'memo://one', _meta: { [SUBSCRIPTION]: 'listen-1' } });
    // No initialize on this connection: no legacy list_changed, and nothing about prompts.
    expect(client.received.filter((frame) => frame.json?.['method'] === 'notifications/prompts/list_changed')).toEqual([]);
    expect(client.received.filter((frame) => frame.json?.['method'] === 'notifications/tools/list_changed')).toHaveLength(1);
  });

  it('ends with a final result when the server stops, and with no reply when the client cancels', async () => {
    const { url, server } = await dualServer();
    const client = await RawMcpClient.connect(url);
    const listen = (id: string): void =>
      client.send({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: modernMeta() } });
    listen('cancelled');
    listen('kept');
    await client.notification('notifications/subscriptions/acknowledged', 1);
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'cancelled' } });
    await client.request('ping', { _meta: modernMeta() });
    server.registerTool('after', { input: t.type({}) }, () => '');
    const changed = await client.notification('notifications/tools/list_changed');
    expect(changed['params']).toEqual({ _meta: { [SUBSCRIPTION]: 'kept' } });
    await server.stop();
    expect(await client.response('kept')).toEqual({ jsonrpc: '2.0', id: 'kept', result: { resultType: 'complete', _meta: { [SUBSCRIPTION]: 'kept', ...SERVER_INFO } } });
    expect(client.received.filter((frame) => frame.json?.['id'] === 'cancelled')).toEqual([]);
    expect((await client.closed).code).toBe(1001);
  });

  it('needs the 2026-07-28 _meta', async () => {
    const { url } = await dualServer();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    expect((await client.request('subscriptions/listen', { notifications: {} }))['error']).toMatchObject({ code: -32601, data: { method: 'subscriptions/listen' } });
  });
});
