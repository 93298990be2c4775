/**
 * The MCP features that send more than one message per request, over Streamable HTTP with the
 * official SDK client: progress and log messages on the request's own event stream, the server's
 * requests to the client (answered by POSTs of their own), list changes on the GET stream, and an
 * SDK server served by `serveSdkServer` over the same HTTP side.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities as SdkClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MCPServer } from '../../../src/mcp/index.js';
import { mcpTransportOptions, serveSdkServer } from '../../../src/mcp/sdk/index.js';
import { WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll, track } from '../support/mcp-fixtures.js';
import { post } from '../support/http-requests.js';

afterEach(closeAll);

async function featureServer(): Promise<{ server: MCPServer; url: string }> {
  const server = track(new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 300 }), (s) => s.stop());
  server.registerTool('steps', { input: t.type({ n: t.number }) }, ({ n }, ctx) => {
    for (let i = 1; i <= n; i += 1) {
      ctx.progress(i, n, `step ${i}`);
      ctx.log('info', { step: i }, 'steps');
    }
    return 'done';
  });
  server.registerTool('capital', { input: t.type({ country: t.string }) }, async ({ country }, ctx) => {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: `Capital of ${country}?` } }], maxTokens: 20 });
    return answer.content instanceof Array || answer.content.type !== 'text' ? '?' : answer.content.text;
  });
  server.registerTool('name', { input: t.type({}) }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: 'Your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
    return answer.action === 'accept' ? String(answer.content?.['name']) : answer.action;
  });
  server.registerTool('roots', { input: t.type({}) }, async (_args, ctx) => (await ctx.listRoots()).roots.map((root) => root.uri).join(','));
  await server.start();
  const url = server.httpUrl;
  if (url === undefined) throw new Error('an MCPServer serves HTTP by default');
  return { server, url };
}

async function httpClient(url: string, capabilities: SdkClientCapabilities = {}): Promise<Client> {
  const client = track(new Client({ name: 'sdk-http-features', version: '1.0.0' }, { capabilities }), (c) => c.close());
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]?.text ?? '');

describe('MCPServer over Streamable HTTP, with the official SDK client', () => {
  it('streams progress and log messages on the request’s own response, before its result', async () => {
    const { url } = await featureServer();
    const client = await httpClient(url);
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params.data);
    });
    const progress: number[] = [];
    const result = await client.callTool({ name: 'steps', arguments: { n: 4 } }, undefined, { onprogress: ({ progress: p }) => progress.push(p) });
    expect(text(result)).toBe('done');
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(logs).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }, { step: 4 }]);
  });

  it('asks the client (sampling, elicitation, roots) in the middle of a request; the client answers with POSTs', async () => {
    const { url } = await featureServer();
    const client = new Client({ name: 'sdk-asked', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} } });
    track(client, (c) => c.close());
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'm' }));
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] }));
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(text(await client.callTool({ name: 'capital', arguments: { country: 'France' } }))).toBe('Paris');
    expect(text(await client.callTool({ name: 'name', arguments: {} }))).toBe('Ada');
    expect(text(await client.callTool({ name: 'roots', arguments: {} }))).toBe('file:///a,file:///b');
  });

  it('tells a session on its GET stream when the tool list changes', async () => {
    const { server, url } = await featureServer();
    const client = await httpClient(url);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    // Whether or not the SDK's GET is open yet: what came before the first GET is sent on it.
    server.registerTool('late', { input: t.type({}) }, () => 'late');
    await changed;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('late');
  });
});

describe('serveSdkServer over Streamable HTTP', () => {
  it('serves the SDK’s own McpServer to the SDK’s HTTP client on the transport’s HTTP side, progress included', async () => {
    const transport = track(new WebSocketServerTransport({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 300, ...mcpTransportOptions }), (s) => s.stop());
    const serving = serveSdkServer(transport, () => {
      const sdk = new McpServer({ name: 'sdk-inside', version: '1.0.0' });
      sdk.registerTool('count', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
        const token = extra._meta?.progressToken;
        for (let i = 1; i <= n; i += 1) {
          if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: n } });
        }
        return { content: [{ type: 'text', text: `counted to ${n}` }] };
      });
      return sdk;
    });
    track(serving, (s) => Promise.resolve(s.unsubscribe()));
    await transport.start();
    const url = transport.httpUrl;
    if (url === undefined) throw new Error('mcpTransportOptions serve HTTP');
    const client = await httpClient(url);
    expect(client.getServerVersion()).toMatchObject({ name: 'sdk-inside' });
    const progress: number[] = [];
    const result = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, { onprogress: ({ progress: p }) => progress.push(p) });
    expect(text(result)).toBe('counted to 3');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('ends the HTTP response of a request its client cancels, though the SDK server sends nothing for it', async () => {
    const transport = track(new WebSocketServerTransport({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 300, ...mcpTransportOptions }), (s) => s.stop());
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const serving = serveSdkServer(transport, () => {
      const sdk = new McpServer({ name: 'sdk-inside', version: '1.0.0' });
      sdk.registerTool('wait', {}, (extra) => {
        started();
        return new Promise((resolve) => extra.signal.addEventListener('abort', () => resolve({ content: [{ type: 'text', text: 'too late' }] })));
      });
      return sdk;
    });
    track(serving, (s) => Promise.resolve(s.unsubscribe()));
    await transport.start();
    const url = transport.httpUrl ?? '';
    const opened = await post(url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const headers = { 'mcp-session-id': opened.headers.get('mcp-session-id') ?? '' };
    await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    const call = post(url, { jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'wait', arguments: {} } }, headers);
    await running;
    await post(url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'w' } }, headers);
    const answered = await call;
    expect(answered.status).toBe(200);
    expect(answered.text).not.toContain('too late');
  });
});
