/**
 * SimpleMCPClient answers the server's requests through handlers its user registers, declaring
 * each capability in `initialize`: against MCPServer (whose handlers call ctx.sample, ctx.elicit,
 * ctx.listRoots) and against the official SDK's McpServer (served with serveSdkServer), whose
 * `createMessage`, `elicitInput` and `listRoots` validate what our client answers.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as t from 'io-ts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, McpError, SimpleMCPClient, type MCPServer } from '../../../src/mcp/index.js';
import { mcpTransportOptions, serveSdkServer } from '../../../src/mcp/sdk/index.js';
import { closeAll as closeSockets, track as trackSocket } from '../../support/resources.js';
import { startServer } from '../../support/sockets.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

afterEach(closeAll);
afterEach(closeSockets);

const FORM = { message: 'Name?', requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const, default: 'Ada' } }, required: ['name'] } };

function registerAskingTools(server: MCPServer): void {
  server.registerTool('everything', { input: t.type({}) }, async (_args, ctx) => {
    const sampled = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 });
    const elicited = await ctx.elicit(FORM);
    const { roots } = await ctx.listRoots();
    return JSON.stringify({ capabilities: ctx.clientCapabilities, model: sampled.model, elicited, roots });
  });
  server.registerTool('wait_for_user', { input: t.type({}) }, async (_args, ctx) => JSON.stringify(await ctx.elicit(FORM)));
  server.registerTool('elicit_error', { input: t.type({}) }, async (_args, ctx) => {
    const error = (await ctx.elicit(FORM).catch((e: unknown) => e)) as McpError;
    return JSON.stringify({ code: error.code, message: error.message });
  });
}

function client(port: number): SimpleMCPClient {
  return track(new SimpleMCPClient({ host: '127.0.0.1', port, transport: { heartbeat: false } }), (c) => c.disconnect());
}

const textOf = (result: { content: unknown[] }): string => (result.content[0] as { text: string }).text;

describe('SimpleMCPClient answers server requests with registered handlers', () => {
  it('declares the capabilities of its handlers and answers sampling, elicitation and roots', async () => {
    const { port } = await startMcpServer({}, registerAskingTools);
    const seen: unknown[] = [];
    const mcp = client(port)
      .onSampling((params) => {
        seen.push(params.messages);
        return { role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'local-model' };
      })
      .onElicitation((params) => ({ action: 'accept', content: { name: params.mode === 'url' ? 'url' : 'Grace' } }))
      .onListRoots(() => [{ uri: 'file:///home/ada', name: 'home' }]);
    await mcp.connect();
    expect(JSON.parse(textOf(await mcp.callTool('everything')))).toEqual({
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
      model: 'local-model',
      elicited: { action: 'accept', content: { name: 'Grace' } },
      roots: [{ uri: 'file:///home/ada', name: 'home' }],
    });
    expect(seen).toEqual([[{ role: 'user', content: { type: 'text', text: 'hi' } }]]);
  });

  it('aborts a handler whose request the server abandons, with the reason the server gives', async () => {
    const { port } = await startMcpServer({}, registerAskingTools);
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    let aborted: unknown;
    const mcp = client(port).onElicitation(
      (_params, { signal }) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(signal.reason as Error);
          });
        }),
    );
    await mcp.connect();
    const controller = new AbortController();
    const call = mcp.callTool('wait_for_user', {}, { signal: controller.signal }).catch((e: unknown) => e);
    await handlerStarted;
    // The call is cancelled on the server, which abandons its elicitation and tells the client.
    controller.abort(new Error('the user left'));
    expect(String(await call)).toContain('the user left');
    await expect.poll(() => aborted).toBeInstanceOf(CancelledError);
    expect(String(aborted)).toContain('the user left');
  });

  it('reports invalid or failed answers: -32603 to the server and errors$ for an invalid result; an McpError passes with its code', async () => {
    const { port } = await startMcpServer({}, registerAskingTools);
    let calls = 0;
    const mcp = client(port).onElicitation(() => {
      calls += 1;
      if (calls === 1) return { action: 'maybe' } as never;
      throw new McpError(-32099, 'not now');
    });
    const reported = firstValueFrom(mcp.errors$);
    await mcp.connect();
    expect(JSON.parse(textOf(await mcp.callTool('elicit_error')))).toEqual({ code: -32603, message: 'Internal error' });
    expect(String(await reported)).toContain('The elicitation/create handler returned an invalid result: result.action');
    expect(JSON.parse(textOf(await mcp.callTool('elicit_error')))).toEqual({ code: -32099, message: 'not now' });
  });

  it('refuses to register a handler after connect()', async () => {
    const { port } = await startMcpServer();
    const mcp = client(port);
    await mcp.connect();
    expect(() => mcp.onSampling(() => ({ role: 'assistant', content: { type: 'text', text: '' }, model: 'm' }))).toThrow('onSampling() must be called before connect()');
  });

  it("answers the official SDK McpServer's createMessage, elicitInput and listRoots", async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const asked = new Promise<McpServer>((resolve) => {
      trackSocket(
        serveSdkServer(transport, () => {
          const sdk = new McpServer({ name: 'sdk-asker', version: '1.0.0' });
          resolve(sdk);
          return sdk;
        }),
        (s) => s.unsubscribe(),
      );
    });
    const mcp = track(new SimpleMCPClient({ url, resume: false, transport: { heartbeat: false } }), (c) => c.disconnect())
      .onSampling(() => ({ role: 'assistant', content: { type: 'text', text: 'from simple' }, model: 'simple-model' }))
      .onElicitation(() => ({ action: 'accept', content: { name: 'Lin' } }))
      .onListRoots(() => [{ uri: 'file:///srv' }]);
    await mcp.connect();
    const sdk = (await asked).server;
    expect(sdk.getClientCapabilities()).toEqual({ sampling: {}, elicitation: { form: {} }, roots: {} });
    expect(await sdk.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 })).toEqual({
      role: 'assistant',
      content: { type: 'text', text: 'from simple' },
      model: 'simple-model',
    });
    expect(await sdk.elicitInput({ mode: 'form', ...FORM })).toEqual({ action: 'accept', content: { name: 'Lin' } });
    expect(await sdk.listRoots()).toEqual({ roots: [{ uri: 'file:///srv' }] });
  });
});
