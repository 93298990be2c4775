/**
 * The official SDK's Client + WebSocketClientTransport against MCPServer: if these pass, real MCP
 * clients built on the SDK work with nexus-mcp.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import {
  LoggingMessageNotificationSchema,
  McpError as SdkMcpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { described, type MCPServer, ToolError } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  // Node 20 has no global WebSocket; the SDK transport needs one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

function registerDemo(server: MCPServer): void {
  server.registerTool(
    'add',
    { description: 'Add two numbers', input: t.type({ a: described(t.number, 'first addend'), b: t.number }), annotations: { readOnlyHint: true } },
    ({ a, b }) => String(a + b),
  );
  server.registerTool(
    'weather',
    { description: 'Weather for a city', input: t.type({ city: t.string }), output: t.type({ city: t.string, celsius: t.number, sky: t.keyof({ clear: null, cloudy: null }) }) },
    ({ city }) => ({ city, celsius: 21.5, sky: 'clear' as const }),
  );
  server.registerTool('broken_output', { input: t.type({}), output: t.type({ n: t.number }) }, () => ({ n: 'not a number' }) as unknown as { n: number });
  server.registerTool('fail', { input: t.type({}) }, () => {
    throw new ToolError('the tool says no');
  });
  server.registerTool('count', { description: 'Counts to n, reporting progress', input: t.type({ n: t.Int }) }, ({ n }, ctx) => {
    // Answers at once: the server holds the result until the SDK has read the progress
    // (sdk-progress-delivery.spec.ts shows why, and that none is lost).
    for (let i = 1; i <= n; i += 1) ctx.progress(i, n, `step ${i}`);
    return `counted to ${n}`;
  });
  server.registerTool('log', { input: t.type({ text: t.string }) }, ({ text }, ctx) => {
    ctx.log('debug', { text, level: 'debug' });
    ctx.log('warning', { text, level: 'warning' });
    return 'logged';
  });
}

async function connectSdkClient(url: string): Promise<Client> {
  const client = track(new Client({ name: 'sdk-interop', version: '1.0.0' }), (c) => c.close());
  await client.connect(new WebSocketClientTransport(new URL(url)));
  return client;
}

describe('official SDK client against MCPServer', () => {
  it('completes the handshake and sees server info, capabilities and instructions', async () => {
    const { url } = await startMcpServer({ name: 'interop-server', version: '9.9.9', instructions: 'Use add to add.' }, registerDemo);
    const client = await connectSdkClient(url);
    expect(client.getServerVersion()).toEqual({ name: 'interop-server', version: '9.9.9' });
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    expect(client.getInstructions()).toBe('Use add to add.');
    await expect(client.ping()).resolves.toEqual({});
  });

  it('lists tools with JSON Schemas derived from io-ts codecs', async () => {
    const { url } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    const { tools } = await client.listTools();
    const add = tools.find((tool) => tool.name === 'add');
    expect(add).toMatchObject({
      description: 'Add two numbers',
      inputSchema: { type: 'object', properties: { a: { type: 'number', description: 'first addend' }, b: { type: 'number' } }, required: ['a', 'b'] },
      annotations: { readOnlyHint: true },
    });
    expect(tools.find((tool) => tool.name === 'count')?.inputSchema.properties).toEqual({ n: { type: 'integer' } });
    expect(tools.map((tool) => tool.name)).toEqual([...tools.map((tool) => tool.name)].sort());
  });

  it('calls tools, gets isError results for bad arguments and failing tools, and -32602 for an unknown tool', async () => {
    const { url } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    await expect(client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).resolves.toEqual({ content: [{ type: 'text', text: '5' }] });

    const invalid = await client.callTool({ name: 'add', arguments: { a: 2, b: 'three' } });
    expect(invalid.isError).toBe(true);
    expect(invalid.content).toEqual([{ type: 'text', text: 'Invalid arguments for tool "add": arguments.b: expected a number, got "three"' }]);

    await expect(client.callTool({ name: 'fail', arguments: {} })).resolves.toEqual({ content: [{ type: 'text', text: 'the tool says no' }], isError: true });

    const unknown = await client.callTool({ name: 'nope', arguments: {} }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(SdkMcpError);
    expect((unknown as SdkMcpError).code).toBe(-32602);
  });

  it('validates structuredContent against the outputSchema it published', async () => {
    const { url } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    const { tools } = await client.listTools(); // the SDK compiles output validators here
    expect(tools.find((tool) => tool.name === 'weather')?.outputSchema).toEqual({
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' }, sky: { type: 'string', enum: ['clear', 'cloudy'] } },
      required: ['city', 'celsius', 'sky'],
    });
    const result = await client.callTool({ name: 'weather', arguments: { city: 'Lyon' } });
    expect(result.structuredContent).toEqual({ city: 'Lyon', celsius: 21.5, sky: 'clear' });
    expect(result.content).toEqual([{ type: 'text', text: JSON.stringify({ city: 'Lyon', celsius: 21.5, sky: 'clear' }) }]);

    // Output that breaks the codec never reaches the client as structuredContent: it is an isError result.
    const broken = await client.callTool({ name: 'broken_output', arguments: {} });
    expect(broken.isError).toBe(true);
    expect(broken.structuredContent).toBeUndefined();
  });

  it('delivers progress with the token the SDK chose', async () => {
    const { url } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    const updates: Progress[] = [];
    const result = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, { onprogress: (progress) => updates.push(progress) });
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
    expect(updates).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ]);
  });

  it('cancels: aborting the SDK call aborts the handler, and the server sends no reply', async () => {
    const { url, server } = await startMcpServer({}, registerDemo);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const aborted = new Promise<unknown>((resolve) => {
      server.registerTool('wait', { input: t.type({}) }, (_args, ctx) => {
        started();
        // Runs until aborted, then fails as a cancelled tool would: the server must not reply.
        return new Promise<string>((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            resolve(ctx.signal.reason);
            reject(ctx.signal.reason as Error);
          });
        });
      });
    });
    const client = await connectSdkClient(url);
    const controller = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: {} }, undefined, { signal: controller.signal });
    await running;
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    expect(String(await aborted)).toContain('user pressed stop');
    // The session keeps serving (the wire-level check that no reply is sent is in mcp-server.lifecycle.spec.ts).
    await expect(client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).resolves.toEqual({ content: [{ type: 'text', text: '2' }] });
  });

  it('receives list_changed when a tool is added and removed at runtime', async () => {
    const { url, server } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    let changes = 0;
    let notified!: () => void;
    let next = new Promise<void>((resolve) => (notified = resolve));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes += 1;
      notified();
    });
    const tool = server.registerTool('late', { description: 'added at runtime', input: t.type({}) }, () => 'late!');
    await next;
    expect((await client.listTools()).tools.map((entry) => entry.name)).toContain('late');
    await expect(client.callTool({ name: 'late', arguments: {} })).resolves.toEqual({ content: [{ type: 'text', text: 'late!' }] });

    next = new Promise<void>((resolve) => (notified = resolve));
    tool.remove();
    await next;
    expect(changes).toBe(2);
    expect((await client.listTools()).tools.map((entry) => entry.name)).not.toContain('late');
  });

  it('honours logging/setLevel for notifications/message', async () => {
    const { url } = await startMcpServer({}, registerDemo);
    const client = await connectSdkClient(url);
    const messages: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params);
    });
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'log', arguments: { text: 'hi' } });
    await client.ping(); // notifications are sent before the result; one more round trip settles them
    expect(messages).toEqual([{ level: 'warning', data: { text: 'hi', level: 'warning' } }]);
  });

  it('reads resources, subscribes to updates, and gets prompts', async () => {
    const { url, server } = await startMcpServer({}, (s) => {
      s.registerResource('memo://today', { name: 'today', mimeType: 'text/plain' }, () => 'remember the milk');
      s.registerPrompt('greet', { description: 'Greets someone', args: t.type({ name: t.string }) }, ({ name }) => `Say hello to ${name}`);
    });
    const client = await connectSdkClient(url);
    expect((await client.listResources()).resources).toEqual([{ uri: 'memo://today', name: 'today', mimeType: 'text/plain' }]);
    expect(await client.readResource({ uri: 'memo://today' })).toEqual({ contents: [{ uri: 'memo://today', mimeType: 'text/plain', text: 'remember the milk' }] });

    const updated = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    await client.subscribeResource({ uri: 'memo://today' });
    server.notifyResourceUpdated('memo://today');
    await expect(updated).resolves.toBe('memo://today');

    expect((await client.listPrompts()).prompts).toEqual([{ name: 'greet', description: 'Greets someone', arguments: [{ name: 'name', required: true }] }]);
    expect(await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } })).toEqual({
      description: 'Greets someone',
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hello to Ada' } }],
    });
  });

  it('answers the server ping: the SDK reads each request off the wire and replies under its id', async () => {
    const { url, server } = await startMcpServer({}, registerDemo);
    const opened = firstValueFrom(server.sessions$);
    await connectSdkClient(url);
    const session = await opened;
    expect(session).toMatchObject({ type: 'opened', era: 'legacy', protocolVersion: '2025-11-25', clientInfo: { name: 'sdk-interop', version: '1.0.0' } });
    const answers: JsonObject[] = [];
    server.transport.messages$.subscribe(({ message }) => {
      if (!('method' in message)) answers.push(message); // responses only: notifications/initialized may still be on its way
    });
    await expect(server.ping(session.sessionId)).resolves.toEqual(expect.any(Number));
    await expect(server.ping(session.sessionId)).resolves.toEqual(expect.any(Number));
    // Only a client that read the request knows its id; two pings, two ids, two answers.
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: expect.any(Number) as unknown, result: {} },
      { jsonrpc: '2.0', id: expect.any(Number) as unknown, result: {} },
    ]);
    expect(answers[0]?.['id']).not.toEqual(answers[1]?.['id']);
  });
});
