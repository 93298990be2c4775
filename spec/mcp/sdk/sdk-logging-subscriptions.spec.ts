/**
 * `logging/setLevel` with `notifications/message`, and `resources/subscribe` with
 * `notifications/resources/updated`, end to end with the official SDK client: the level filters
 * and can change, loggers are named, bad levels are refused; subscriptions reach fixed and
 * template-matched URIs, only their subscribers, until they unsubscribe.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import {
  LoggingMessageNotificationSchema,
  McpError as SdkMcpError,
  ResourceUpdatedNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MCPServer } from '../../../src/mcp/index.js';
import { LOGGING_LEVELS } from '../../../src/protocol/index.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

function register(server: MCPServer): void {
  server.registerTool('log_every_level', { input: t.type({}) }, (_args, ctx) => {
    for (const level of LOGGING_LEVELS) ctx.log(level, { level }, 'spec-logger');
    return 'logged';
  });
  server.registerResource('memo://fixed', { name: 'fixed' }, () => 'fixed');
  server.registerResourceTemplate('users://{id}', { name: 'user' }, (_uri, { id }) => `user ${id ?? ''}`);
}

async function sdkClient(url: string): Promise<{ client: Client; messages: LoggingMessageNotification['params'][]; updates: string[] }> {
  const client = track(new Client({ name: 'sdk-logs', version: '1.0.0' }), (c) => c.close());
  const messages: LoggingMessageNotification['params'][] = [];
  const updates: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void messages.push(notification.params));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updates.push(notification.params.uri));
  await client.connect(new WebSocketClientTransport(new URL(url)));
  return { client, messages, updates };
}

describe('logging with the official SDK client', () => {
  it('sends every level until setLevel, then that level and above; the level can change; the logger is named', async () => {
    const { url } = await startMcpServer({}, register);
    const { client, messages } = await sdkClient(url);
    expect(client.getServerCapabilities()?.logging).toEqual({});

    await client.callTool({ name: 'log_every_level' });
    await client.ping(); // the messages came before the result; one more round trip and the SDK has handled them
    expect(messages.map((message) => message.level)).toEqual([...LOGGING_LEVELS]);
    expect(messages[0]).toEqual({ level: 'debug', logger: 'spec-logger', data: { level: 'debug' } });

    messages.length = 0;
    await client.setLoggingLevel('error');
    await client.callTool({ name: 'log_every_level' });
    await client.ping();
    expect(messages.map((message) => message.level)).toEqual(['error', 'critical', 'alert', 'emergency']);

    messages.length = 0;
    await client.setLoggingLevel('emergency');
    await client.callTool({ name: 'log_every_level' });
    await client.ping();
    expect(messages.map((message) => message.level)).toEqual(['emergency']);
  });

  it('refuses a level that does not exist with -32602', async () => {
    const { url } = await startMcpServer({}, register);
    const { client } = await sdkClient(url);
    const error = await client.request({ method: 'logging/setLevel', params: { level: 'loud' } }, LoggingMessageNotificationSchema.shape.params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkMcpError);
    expect((error as SdkMcpError).code).toBe(-32602);
  });
});

describe('resource subscriptions with the official SDK client', () => {
  it('notifies subscribers of fixed and template-matched URIs, nobody else, until they unsubscribe', async () => {
    const { url, server } = await startMcpServer({}, register);
    const subscriber = await sdkClient(url);
    const bystander = await sdkClient(url);
    expect(subscriber.client.getServerCapabilities()?.resources?.subscribe).toBe(true);

    await subscriber.client.subscribeResource({ uri: 'memo://fixed' });
    await subscriber.client.subscribeResource({ uri: 'users://42' });
    server.notifyResourceUpdated('memo://fixed');
    server.notifyResourceUpdated('users://42');
    server.notifyResourceUpdated('users://7'); // nobody subscribed
    await subscriber.client.ping();
    expect(subscriber.updates).toEqual(['memo://fixed', 'users://42']);

    await subscriber.client.unsubscribeResource({ uri: 'memo://fixed' });
    server.notifyResourceUpdated('memo://fixed');
    server.notifyResourceUpdated('users://42');
    await subscriber.client.ping();
    await bystander.client.ping();
    expect(subscriber.updates).toEqual(['memo://fixed', 'users://42', 'users://42']);
    expect(bystander.updates).toEqual([]);
  });
});
