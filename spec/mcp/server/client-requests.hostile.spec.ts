/**
 * A client that answers the server's requests badly — with ids it was never asked under, malformed
 * responses, answers that do not fit, or not at all — gets its own errors; another session, whose
 * request to its client is pending under the very same id, is untouched and served.
 */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer, ServerErrorEvent } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

const FORM = { message: 'Name?', requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const } }, required: ['name'] } };

async function declaringElicitation(url: string): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'raw', version: '1' } });
  client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return client;
}

async function elicitationId(client: RawMcpClient): Promise<number> {
  const frame = await client.next((f) => f.json?.['method'] === 'elicitation/create', 'an elicitation request');
  return (frame.json as JsonObject)['id'] as number;
}

describe('a client that answers the server badly', () => {
  it('gets its own errors, and another session asked under the same id is still served', async () => {
    const { url, server } = await startMcpServer({ clientRequestTimeoutMs: 60_000 }, (s: MCPServer) => {
      s.registerTool('ask', { input: t.type({}) }, async (_args, ctx) => `Hello, ${String((await ctx.elicit(FORM)).content?.['name'])}`);
    });
    const errors: ServerErrorEvent[] = [];
    server.errors$.subscribe((event) => errors.push(event));
    const bystander = await declaringElicitation(url);
    const hostile = await declaringElicitation(url);

    const bystanderCall = bystander.request('tools/call', { name: 'ask' }, 'b-1');
    const bystanderAsked = await elicitationId(bystander);
    const hostileCall = hostile.request('tools/call', { name: 'ask' }, 'h-1');
    const hostileAsked = await elicitationId(hostile);
    // Each session numbers its own requests: both are pending under the same id.
    expect(hostileAsked).toBe(bystanderAsked);

    // Answers to ids never asked, and a malformed response: ignored, or a -32600 to the sender.
    hostile.send({ jsonrpc: '2.0', id: 4242, result: { action: 'accept', content: { name: 'nobody' } } });
    hostile.send({ jsonrpc: '2.0', id: hostileAsked, result: 'not an object' });
    const malformed = await hostile.next((f) => (f.json?.['error'] as JsonObject | undefined)?.['code'] === -32600, 'the -32600 for a malformed response');
    expect(malformed.json?.['id']).toBe(hostileAsked);
    // An answer that does not fit what was asked fails the hostile call only.
    hostile.send({ jsonrpc: '2.0', id: hostileAsked, result: { action: 'accept', content: { name: 42 } } });
    expect((await hostileCall)['error']).toMatchObject({ code: -32602, message: expect.stringContaining('content.name: expected a string, got 42') as unknown });

    bystander.send({ jsonrpc: '2.0', id: bystanderAsked, result: { action: 'accept', content: { name: 'Ada' } } });
    expect((await bystanderCall)['result']).toEqual({ content: [{ type: 'text', text: 'Hello, Ada' }] });
    expect(errors).toEqual([]);
  });
});
