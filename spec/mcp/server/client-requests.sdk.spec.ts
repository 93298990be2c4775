/**
 * Server-to-client requests in the handshake era, against the official SDK client: handlers ask
 * the client's model (`ctx.sample`), its user (`ctx.elicit`, forms with defaults and every enum
 * variant of 2025-11-25) and its roots (`ctx.listRoots`); the SDK validates what it receives with
 * its own schemas, and the server checks what comes back against what it asked.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  McpError as SdkMcpError,
  type ClientCapabilities as SdkClientCapabilities,
  type ElicitRequest,
  type ElicitResult as SdkElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MCPServer } from '../../../src/mcp/index.js';
import type { ElicitFormParams } from '../../../src/protocol/index.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

/** Every field kind a 2025-11-25 form may hold, each with a default. */
const EVERY_FIELD: ElicitFormParams = {
  message: 'Tell us about yourself',
  requestedSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', title: 'Name', default: 'John Doe', minLength: 1 },
      email: { type: 'string', format: 'email' },
      age: { type: 'integer', default: 30, minimum: 0, maximum: 150 },
      score: { type: 'number', default: 95.5 },
      verified: { type: 'boolean', default: true },
      status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
      legacy: { type: 'string', enum: ['s', 'm', 'l'], enumNames: ['Small', 'Medium', 'Large'], default: 'm' },
      titled: { type: 'string', oneOf: [{ const: '#f00', title: 'Red' }, { const: '#0f0', title: 'Green' }], default: '#f00' },
      tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 2, default: ['a'] },
      colors: { type: 'array', items: { anyOf: [{ const: 'r', title: 'Red' }, { const: 'g', title: 'Green' }] }, default: ['g'] },
    },
    required: ['name', 'age', 'status'],
  },
};

function registerAskingTools(server: MCPServer): void {
  server.registerTool('capital', { input: t.type({ country: t.string }) }, async ({ country }, ctx) => {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: `Capital of ${country}?` } }], maxTokens: 20 });
    return `${answer.model} says ${answer.content instanceof Array ? '…' : answer.content.type === 'text' ? answer.content.text : answer.content.type}`;
  });
  server.registerTool('profile', { input: t.type({}) }, async (_args, ctx) => {
    const answer = await ctx.elicit(EVERY_FIELD);
    return JSON.stringify(answer);
  });
  server.registerTool('roots', { input: t.type({}) }, async (_args, ctx) => JSON.stringify((await ctx.listRoots()).roots));
  server.registerPrompt('where', {}, async (_args, ctx) => `Work in ${(await ctx.listRoots()).roots.map((root) => root.uri).join(', ')}`);
}

async function connect(url: string, capabilities: SdkClientCapabilities, answers: { elicit?: (request: ElicitRequest) => SdkElicitResult } = {}): Promise<{ client: Client; elicited: ElicitRequest[] }> {
  const client = track(new Client({ name: 'sdk-asked', version: '1.0.0' }, { capabilities }), (c) => c.close());
  const elicited: ElicitRequest[] = [];
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test-model' }));
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicited.push(request);
      return answers.elicit?.(request) ?? { action: 'accept', content: { name: 'Jane', age: 25, status: 'pending', tags: ['b', 'c'], colors: ['r'] } };
    });
  }
  if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  await client.connect(new WebSocketClientTransport(new URL(url)));
  return { client, elicited };
}

const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]?.text ?? '');

describe('server-to-client requests with the official SDK client (2025-11-25)', () => {
  it('samples the client model, lists its roots, and elicits a form with every field kind and its defaults', async () => {
    const { url } = await startMcpServer({}, registerAskingTools);
    const { client, elicited } = await connect(url, { sampling: {}, elicitation: { form: {} }, roots: {} });

    expect(text(await client.callTool({ name: 'capital', arguments: { country: 'France' } }))).toBe('test-model says Paris');
    expect(JSON.parse(text(await client.callTool({ name: 'roots' })))).toEqual([{ uri: 'file:///work', name: 'work' }]);
    expect((await client.getPrompt({ name: 'where' })).messages[0]?.content).toEqual({ type: 'text', text: 'Work in file:///work' });

    expect(JSON.parse(text(await client.callTool({ name: 'profile' })))).toEqual({
      action: 'accept',
      content: { name: 'Jane', age: 25, status: 'pending', tags: ['b', 'c'], colors: ['r'] },
    });
    // The SDK parsed the request with its own ElicitRequestSchema; what it saw is what was asked.
    expect(elicited[0]?.params).toEqual(EVERY_FIELD);
  });

  it('checks the answer against the requested schema: a misfit rejects ctx.elicit with -32602, the tool call fails with it', async () => {
    const { url } = await startMcpServer({}, registerAskingTools);
    const wrong = { action: 'accept' as const, content: { name: 'Jane', age: 25.5, status: 'retired', tags: ['a', 'z'] } };
    const { client } = await connect(url, { elicitation: {} }, { elicit: () => wrong });
    const error = await client.callTool({ name: 'profile' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkMcpError);
    expect((error as SdkMcpError).code).toBe(-32602);
    expect((error as SdkMcpError).message).toContain(
      'does not match the requested schema: content.age: expected an integer, got 25.5; content.status: expected one of "active", "inactive", "pending", got "retired"; content.tags: expected each item one of "a", "b", "c", got "z"',
    );
  });

  it('passes declines and cancellations through, without content', async () => {
    const { url } = await startMcpServer({}, registerAskingTools);
    const { client } = await connect(url, { elicitation: {} }, { elicit: () => ({ action: 'decline' }) });
    expect(JSON.parse(text(await client.callTool({ name: 'profile' })))).toEqual({ action: 'decline' });
  });

  it('refuses what the client did not declare: -32021 naming the capability, and nothing is sent', async () => {
    const { url } = await startMcpServer({}, registerAskingTools);
    const { client } = await connect(url, {});
    for (const [name, capability] of [
      ['capital', { sampling: {} }],
      ['profile', { elicitation: { form: {} } }],
      ['roots', { roots: {} }],
    ] as const) {
      const error = await client.callTool({ name, arguments: { country: 'France' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SdkMcpError);
      expect({ code: (error as SdkMcpError).code, data: (error as SdkMcpError).data }).toEqual({ code: -32021, data: { requiredCapabilities: capability } });
    }
  });
});
