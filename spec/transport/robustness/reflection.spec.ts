/**
 * No reflection amplification: text a client sent appears in an error reply at most once, cut to 128
 * characters and "…", so the reply to a bad request is never much larger than the request. Every
 * place a peer's string used to be echoed gets a 400 KB string here, over real sockets, and the reply
 * must be no bigger than the request plus 1 KB, with the string in it exactly once, cut.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { SimpleMCPClient } from '../../../src/mcp/index.js';
import { mcpTransportOptions, serveSdkServer } from '../../../src/mcp/sdk/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { closeAll as closeMcp, modernMeta, RawMcpClient, startMcpServer } from '../../mcp/support/mcp-fixtures.js';
import { closeAll, track } from '../../support/resources.js';
import { RawClient, RawServer, startServer, textOf } from '../../support/sockets.js';

afterEach(closeMcp);
afterEach(closeAll);

const MARK = 'reflected:';
/** The client's text: 400 KB, recognisable by its first ten characters. */
const BIG = `${MARK}${'A'.repeat(400 * 1024)}`;
/** What the reply may carry of it: the first 128 characters and an ellipsis. */
const CUT = `${BIG.slice(0, 128)}…`;

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The rule, for one request and everything sent back for it. */
function expectNoReflection(position: string, request: string, replies: readonly string[]): void {
  const replyBytes = replies.reduce((sum, reply) => sum + Buffer.byteLength(reply), 0);
  const overBudgetBy = Math.max(0, replyBytes - (Buffer.byteLength(request) + 1024));
  const joined = replies.join('\n');
  expect({ position, replies: replies.length, overBudgetBy, echoes: occurrences(joined, MARK), cut: joined.includes(CUT) }).toEqual({
    position,
    replies: 1,
    overBudgetBy: 0,
    echoes: 1,
    cut: true,
  });
}

interface McpPosition {
  readonly position: string;
  readonly method: string;
  readonly params?: JsonObject;
  /** A JSON-RPC error code, or an `isError` tool result. */
  readonly answer: number | 'tool-error';
}

const mcpPositions: McpPosition[] = [
  { position: 'an unknown tool name', method: 'tools/call', params: { name: BIG }, answer: -32602 },
  { position: 'an unknown prompt name', method: 'prompts/get', params: { name: BIG }, answer: -32602 },
  { position: 'an unknown resource URI', method: 'resources/read', params: { uri: BIG }, answer: -32002 },
  { position: 'a URI whose template reader fails', method: 'resources/read', params: { uri: `${BIG}/fail` }, answer: -32603 },
  { position: 'the protocol version in _meta', method: 'tools/list', params: { _meta: modernMeta({ 'io.modelcontextprotocol/protocolVersion': BIG }) }, answer: -32022 },
  { position: 'a prompt argument key', method: 'prompts/get', params: { name: 'p', arguments: { [BIG]: 5 } }, answer: -32602 },
  { position: 'an unknown method', method: BIG, answer: -32601 },
  { position: 'a cursor', method: 'tools/list', params: { cursor: BIG }, answer: -32602 },
  { position: 'a tool argument key', method: 'tools/call', params: { name: 'tally', arguments: { scores: { [BIG]: 'x' } } }, answer: 'tool-error' },
  { position: 'a tool argument value', method: 'tools/call', params: { name: 'count', arguments: { n: BIG } }, answer: 'tool-error' },
];

async function reflectingMcpServer(): Promise<{ victim: RawMcpClient; bystander: RawMcpClient }> {
  const { url } = await startMcpServer({}, (server) => {
    server.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }) => text);
    server.registerTool('count', { input: t.type({ n: t.number }) }, ({ n }) => String(n));
    server.registerTool('tally', { input: t.type({ scores: t.record(t.string, t.number) }) }, () => 'tallied');
    server.registerPrompt('p', { args: t.type({ topic: t.string }) }, ({ topic }) => topic);
    server.registerResourceTemplate(`${MARK}{+rest}/fail`, { name: 'failing' }, () => {
      throw new Error('the reader failed');
    });
  });
  const victim = await RawMcpClient.connect(url);
  await victim.initialize();
  const bystander = await RawMcpClient.connect(url);
  await bystander.initialize();
  return { victim, bystander };
}

let sentinels = 0;

/** Sends one raw request, waits for its answer, then a ping; returns the texts that came back before the ping's. */
async function repliesTo(client: RawMcpClient, frame: string, id: string | number): Promise<string[]> {
  const before = client.received.length;
  client.sendRaw(frame);
  await client.response(id);
  const sentinel = `sentinel-${(sentinels += 1)}`;
  await client.request('ping', undefined, sentinel);
  return client.received
    .slice(before)
    .filter((f) => f.json?.['id'] !== sentinel)
    .map((f) => f.text ?? '');
}

describe('client text in MCPServer replies', () => {
  it.each(mcpPositions)('$position: at most once and cut, the reply no bigger than the request', async ({ position, method, params, answer }) => {
    const { victim, bystander } = await reflectingMcpServer();
    const request = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id: 1, method } : { jsonrpc: '2.0', id: 1, method, params });
    const replies = await repliesTo(victim, request, 1);
    expectNoReflection(position, request, replies);
    const reply = JSON.parse(replies[0] ?? '{}') as { error?: { code: number }; result?: { isError?: boolean } };
    if (answer === 'tool-error') expect(reply.result?.isError).toBe(true);
    else expect(reply.error?.code).toBe(answer);
    expect((await bystander.request('tools/call', { name: 'echo', arguments: { text: 'unbothered' } }))['result']).toEqual({
      content: [{ type: 'text', text: 'unbothered' }],
    });
  });

  it('a duplicate in-flight id is echoed once, as the id, and not again in the message', async () => {
    const { url } = await startMcpServer({}, (server) => {
      server.registerTool('hold', { input: t.type({}) }, (_args, ctx) => new Promise<string>((resolve) => ctx.signal.addEventListener('abort', () => resolve('released'))));
    });
    const victim = await RawMcpClient.connect(url);
    await victim.initialize();
    victim.send({ jsonrpc: '2.0', id: BIG, method: 'tools/call', params: { name: 'hold', arguments: {} } });
    const duplicate = JSON.stringify({ jsonrpc: '2.0', id: BIG, method: 'ping' });
    const replies = await repliesTo(victim, duplicate, BIG);
    expect(replies).toHaveLength(1);
    expect(Buffer.byteLength(replies[0] ?? '')).toBeLessThanOrEqual(Buffer.byteLength(duplicate) + 1024);
    expect(occurrences(replies[0] ?? '', MARK)).toBe(1);
    expect(JSON.parse(replies[0] ?? '{}')).toMatchObject({ id: BIG, error: { code: -32600 } });
  });
});

describe('client text in the transport and the SDK bridge', () => {
  it('an unknown message type, with a handler map: at most once and cut', async () => {
    const { url } = await startServer({ messageHandler: { known: () => ({ type: 'ok' }) } });
    const client = await RawClient.open(url);
    const request = JSON.stringify({ type: BIG });
    client.socket.send(request);
    const reply = textOf((await client.nextFrame()).data);
    expectNoReflection('an unknown message type', request, [reply]);
    expect(JSON.parse(reply)).toMatchObject({ type: 'error', code: 'unknown_type' });
    client.socket.send(JSON.stringify({ type: 'known' }));
    expect(await client.next()).toEqual({ type: 'ok' });
  });

  it('an extra envelope member, before an SDK server: at most once and cut', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    track(
      serveSdkServer(transport, () => new McpServer({ name: 'sdk-behind-nexus', version: '1.0.0' }), { onError: () => undefined }),
      (serving) => serving.unsubscribe(),
    );
    const client = await RawClient.open(url, 'mcp');
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', [BIG]: true });
    client.socket.send(request);
    const reply = textOf((await client.nextFrame()).data);
    expectNoReflection('an extra envelope member', request, [reply]);
    expect(JSON.parse(reply)).toMatchObject({ id: 1, error: { code: -32600 } });
  });

  it("a server's request for an unknown method, answered by SimpleMCPClient: at most once and cut", async () => {
    const raw = await RawServer.start();
    const client = track(new SimpleMCPClient({ url: raw.url, useTransport: false, requestTimeoutMs: 5000 }), (c) => c.disconnect());
    const connected = client.connect();
    const server = await raw.nextConnection();
    const initialize = (await server.next()) as { id: number };
    server.sendJson({ jsonrpc: '2.0', id: initialize.id, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'raw', version: '1' } } });
    await connected;
    expect(await server.next()).toMatchObject({ method: 'notifications/initialized' });
    const request = JSON.stringify({ jsonrpc: '2.0', id: 'from-server', method: BIG });
    server.socket.send(request);
    const reply = textOf((await server.nextFrame()).data);
    expectNoReflection('a server-to-client method', request, [reply]);
    expect(JSON.parse(reply)).toMatchObject({ id: 'from-server', error: { code: -32601 } });
  });
});
