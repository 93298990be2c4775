/**
 * Server-to-client requests on the wire (handshake era): each is a JSON-RPC request with an id of
 * the server's own, answered by the client under that id; it is tied to the request it serves
 * (cancelling that request abandons it, and the client is told), and it times out.
 */
import * as t from 'io-ts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRequestError, RequestTimeoutError, type MCPServer } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

async function clientDeclaring(url: string, capabilities: JsonObject): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.request('initialize', { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'raw', version: '1' } });
  client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return client;
}

/** The next request the server sent (a frame with a method and an id). */
async function serverRequest(client: RawMcpClient, method: string): Promise<{ id: number; params: JsonObject | undefined }> {
  const frame = await client.next((f) => f.json?.['method'] === method && 'id' in f.json, `a ${method} request from the server`);
  const json = frame.json as JsonObject;
  return { id: json['id'] as number, params: json['params'] as JsonObject | undefined };
}

const FORM = { message: 'Your name?', requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const } }, required: ['name'] } };

describe('server-to-client requests on the wire', () => {
  it('sends a JSON-RPC request and resumes the handler with the answer given under its id', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('greet', { input: t.type({}) }, async (_args, ctx) => {
        const answer = await ctx.elicit(FORM);
        return `Hello, ${String(answer.content?.['name'])}`;
      });
    });
    const client = await clientDeclaring(url, { elicitation: {} });
    client.send({ jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'greet' } });
    const asked = await serverRequest(client, 'elicitation/create');
    expect(asked.params).toEqual(FORM);
    client.send({ jsonrpc: '2.0', id: asked.id, result: { action: 'accept', content: { name: 'Ada' } } });
    expect((await client.response('call-1'))['result']).toEqual({ content: [{ type: 'text', text: 'Hello, Ada' }] });
  });

  it('abandons the request when the call it serves is cancelled, and tells the client so', async () => {
    const aborted: unknown[] = [];
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('slow_question', { input: t.type({}) }, async (_args, ctx) => {
        try {
          return JSON.stringify(await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }));
        } catch (error) {
          aborted.push(error);
          throw error;
        }
      });
    });
    const client = await clientDeclaring(url, { sampling: {} });
    client.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow_question' } });
    const asked = await serverRequest(client, 'sampling/createMessage');
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'changed my mind' } });
    const cancelled = await client.notification('notifications/cancelled');
    expect(cancelled['params']).toEqual({ requestId: asked.id, reason: 'changed my mind' });
    expect(aborted).toHaveLength(1);
    expect(String(aborted[0])).toContain('changed my mind');
  });

  it('times out (option timeoutMs), cancels its request on the client and rejects with RequestTimeoutError', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('impatient', { input: t.type({}) }, async (_args, ctx) => {
        const error = await ctx.listRoots({ timeoutMs: 50 }).catch((e: unknown) => e);
        return error instanceof RequestTimeoutError ? `timed out after ${error.timeoutMs} ms` : 'no timeout';
      });
    });
    const client = await clientDeclaring(url, { roots: {} });
    const result = client.request('tools/call', { name: 'impatient' });
    const asked = await serverRequest(client, 'roots/list');
    expect((await result)['result']).toEqual({ content: [{ type: 'text', text: 'timed out after 50 ms' }] });
    expect((await client.notification('notifications/cancelled'))['params']).toEqual({ requestId: asked.id, reason: 'Request timed out after 50 ms' });
    // An answer that comes too late is dropped quietly.
    client.send({ jsonrpc: '2.0', id: asked.id, result: { roots: [] } });
    expect((await client.request('ping'))['result']).toEqual({});
  });

  it("reports the client's error reply to the handler as an McpError with the client's code", async () => {
    let seen: unknown;
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('ask', { input: t.type({}) }, async (_args, ctx) => {
        seen = await ctx.elicit(FORM).catch((e: unknown) => e);
        return 'done';
      });
    });
    const client = await clientDeclaring(url, { elicitation: {} });
    const result = client.request('tools/call', { name: 'ask' });
    const asked = await serverRequest(client, 'elicitation/create');
    client.send({ jsonrpc: '2.0', id: asked.id, error: { code: -32603, message: 'the user closed the window' } });
    await result;
    expect(seen).toMatchObject({ code: -32603, message: 'the user closed the window' });
    expect(seen).not.toBeInstanceOf(ClientRequestError);
  });

  it("refuses the handler's own malformed params before anything is sent, and asks made after the handler finished", async () => {
    let late: Promise<unknown> | undefined;
    const { url, server } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('sloppy', { input: t.type({}) }, async (_args, ctx) => {
        await ctx.sample({ messages: [], maxTokens: 1.5 });
        return 'unreachable';
      });
      s.registerTool('late', { input: t.type({}) }, (_args, ctx) => {
        late = Promise.resolve().then(() => ctx.listRoots().catch((e: unknown) => e));
        return 'returned first';
      });
    });
    const reported = firstValueFrom(server.errors$);
    const client = await clientDeclaring(url, { sampling: {}, roots: {} });
    expect((await client.request('tools/call', { name: 'sloppy' }))['result']).toEqual({ content: [{ type: 'text', text: 'Tool "sloppy" failed with an internal error' }], isError: true });
    expect(String((await reported).error)).toContain('ctx.sample: invalid params: params.maxTokens: expected integer, got 1.5');
    await client.request('tools/call', { name: 'late' });
    expect(String(await late)).toContain('roots/list cannot be sent: the handler of tools/call has already finished');
    expect(client.received.some((frame) => frame.json?.['method'] === 'sampling/createMessage' || frame.json?.['method'] === 'roots/list')).toBe(false);
  });
});
