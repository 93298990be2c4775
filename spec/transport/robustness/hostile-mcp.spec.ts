/**
 * Hostile input against MCPServer, where its answers differ from the bare transport's: JSON-RPC
 * error replies for deep nesting in every part of an envelope, and the size and fragmentation limits
 * under MCP framing. (Binary frames → 1003 and invalid UTF-8 → 1007 are covered by
 * spec/mcp/mcp-server.fuzz.spec.ts.) Every case: its documented reply or close, a bystander session
 * keeps being answered, nothing lands on the server's errors$ unless a handler failed.
 */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerErrorEvent } from '../../../src/mcp/index.js';
import { CloseCode } from '../../../src/transport/index.js';
import { closeAll, RawMcpClient, startMcpServer, type Frame } from '../../mcp/support/mcp-fixtures.js';

afterEach(closeAll);

const DEPTH = 100_000;
const LIMIT = 64 * 1024;
const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

async function hostileMcpServer(maxMessageSize?: number) {
  const { server, url } = await startMcpServer(maxMessageSize === undefined ? {} : { maxMessageSize }, (s) => {
    s.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }) => text);
    s.registerPrompt('p', { args: t.type({ topic: t.string }) }, ({ topic }) => topic);
  });
  const errors: ServerErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  const bystander = await RawMcpClient.connect(url);
  await bystander.initialize();
  return { server, url, errors, bystander };
}

let sentinels = 0;

/** Sends one raw frame, then a ping; returns the replies that came in between (the ping's excluded). */
async function repliesTo(client: RawMcpClient, frame: string): Promise<Frame[]> {
  const before = client.received.length;
  client.sendRaw(frame);
  const sentinel = `sentinel-${(sentinels += 1)}`;
  await client.request('ping', undefined, sentinel);
  return client.received.slice(before).filter((f) => f.json?.['id'] !== sentinel);
}

async function expectBystanderServed(bystander: RawMcpClient): Promise<void> {
  const reply = await bystander.request('tools/call', { name: 'echo', arguments: { text: 'unbothered' } });
  expect(reply['result']).toEqual({ content: [{ type: 'text', text: 'unbothered' }] });
}

type Expected = { readonly error: number; readonly id?: number } | 'result' | 'tool-error' | 'silence';

/** Deep nesting in each part of an envelope, after `initialize`, and what JSON-RPC (and MCP) says it gets. */
const deepCases: Record<string, [frame: string, expected: Expected]> = {
  'a bare array': [deepArray, { error: -32600 }],
  'an unbalanced object that never closes': ['{"a":'.repeat(DEPTH), { error: -32700 }],
  'the id': [`{"jsonrpc":"2.0","id":${deepArray},"method":"ping"}`, { error: -32600 }],
  'the method': [`{"jsonrpc":"2.0","id":1,"method":${deepArray}}`, { error: -32600, id: 1 }],
  'the params of ping': [`{"jsonrpc":"2.0","id":2,"method":"ping","params":${deepObject}}`, 'result'],
  'params._meta': [`{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":${deepObject}}}`, 'result'],
  'a tool name': [`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":${deepArray}}}`, { error: -32602, id: 4 }],
  'tool arguments': [`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":${deepObject}}}`, 'tool-error'],
  'a tool argument value': [`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{"text":${deepArray}}}}`, 'tool-error'],
  'a resource uri': [`{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":${deepArray}}}`, { error: -32602, id: 7 }],
  'a log level': [`{"jsonrpc":"2.0","id":8,"method":"logging/setLevel","params":{"level":${deepObject}}}`, { error: -32602, id: 8 }],
  'a cursor': [`{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"cursor":${deepObject}}}`, { error: -32602, id: 9 }],
  'prompt arguments': [`{"jsonrpc":"2.0","id":10,"method":"prompts/get","params":{"name":"p","arguments":${deepObject}}}`, { error: -32602, id: 10 }],
  'a response result': [`{"jsonrpc":"2.0","id":11,"result":${deepObject}}`, 'silence'],
  'a response error': [`{"jsonrpc":"2.0","id":12,"error":${deepObject}}`, { error: -32600, id: 12 }],
  'a cancellation': [`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${deepArray}}}`, 'silence'],
  'a progress notification': [`{"jsonrpc":"2.0","method":"notifications/progress","params":${deepObject}}`, 'silence'],
  '2026-07-28 client capabilities': [
    `{"jsonrpc":"2.0","id":13,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":${deepObject},"io.modelcontextprotocol/clientInfo":{"name":"deep","version":"1"}}}}`,
    'result',
  ],
};

describe(`${DEPTH}-deep nesting against MCPServer`, () => {
  it('answers each part of an envelope as JSON-RPC says, on a connection that stays up', async () => {
    const { errors, bystander, url } = await hostileMcpServer();
    const victim = await RawMcpClient.connect(url);
    await victim.initialize();
    for (const [name, [frame, expected]] of Object.entries(deepCases)) {
      const replies = await repliesTo(victim, frame);
      const context = { deep: name, replies: replies.map((f) => f.text?.slice(0, 200)) };
      if (expected === 'silence') {
        expect({ ...context, count: replies.length }).toMatchObject({ count: 0 });
        continue;
      }
      expect({ ...context, count: replies.length }).toMatchObject({ count: 1 });
      const reply = replies[0]?.json ?? {};
      if (expected === 'result') {
        expect({ ...context, hasResult: typeof reply['result'] === 'object' }).toMatchObject({ hasResult: true });
      } else if (expected === 'tool-error') {
        expect({ ...context, isError: (reply['result'] as { isError?: unknown } | undefined)?.isError }).toMatchObject({ isError: true });
      } else {
        expect({ ...context, code: (reply['error'] as { code?: unknown } | undefined)?.code, id: reply['id'] }).toMatchObject({
          code: expected.error,
          id: expected.id,
        });
      }
    }
    expect(victim.socket.readyState).toBe(victim.socket.OPEN);
    await expectBystanderServed(bystander);
    expect(errors).toEqual([]);
  });
});

/** A ping request of exactly `bytes` bytes, padded in `_meta`. */
function paddedPing(bytes: number, id: number): string {
  const empty = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping', params: { _meta: { pad: '' } } });
  const message = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping', params: { _meta: { pad: 'a'.repeat(bytes - empty.length) } } });
  expect(Buffer.byteLength(message)).toBe(bytes);
  return message;
}

describe('size limits under MCP framing', () => {
  it('answers a request of exactly maxMessageSize bytes and closes one a byte over with 1009', async () => {
    const { bystander, url } = await hostileMcpServer(LIMIT);
    const victim = await RawMcpClient.connect(url);
    victim.sendRaw(paddedPing(LIMIT, 1));
    expect(await victim.response(1)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    victim.sendRaw(paddedPing(LIMIT + 1, 2));
    expect((await victim.closed).code).toBe(CloseCode.MessageTooBig);
    await expectBystanderServed(bystander);
  });

  it('answers a request split into 1000 fragments, and closes fragments past the limit with 1009', async () => {
    const { bystander, url } = await hostileMcpServer(LIMIT);
    const victim = await RawMcpClient.connect(url);
    const request = Buffer.from(paddedPing(50_000, 3));
    for (let at = 0; at < request.length; at += 50) victim.socket.send(request.subarray(at, at + 50), { binary: false, fin: at + 50 >= request.length });
    expect(await victim.response(3)).toEqual({ jsonrpc: '2.0', id: 3, result: {} });

    const tooBig = Buffer.from(paddedPing(2 * LIMIT, 4));
    for (let at = 0; at + 1024 < tooBig.length; at += 1024) victim.socket.send(tooBig.subarray(at, at + 1024), { binary: false, fin: false });
    expect((await victim.closed).code).toBe(CloseCode.MessageTooBig);
    await expectBystanderServed(bystander);
  });
});

describe('__proto__ in what a handler receives', () => {
  /** A tool whose input copies a nested object while decoding (`t.exact` inside `t.type`), which is where a planted key turned into a prototype. */
  async function adminCheckServer() {
    const seen: unknown[] = [];
    const { server, url } = await startMcpServer({}, (s) => {
      s.registerTool(
        'whoami',
        { input: t.type({ options: t.exact(t.type({ verbose: t.boolean })) }) },
        ({ options }) => {
          seen.push(options);
          return (options as { isAdmin?: unknown }).isAdmin === true ? 'admin' : 'user';
        },
      );
    });
    const errors: ServerErrorEvent[] = [];
    server.errors$.subscribe((event) => errors.push(event));
    const bystander = await RawMcpClient.connect(url);
    await bystander.initialize();
    return { url, seen, errors, bystander };
  }

  it.each([
    ['in tool arguments', '{"options":{"verbose":true,"__proto__":{"isAdmin":true}}}'],
    ['escaped, in tool arguments', '{"options":{"verbose":true,"\\u005f_proto__":{"isAdmin":true}}}'],
    ['as constructor.prototype', '{"options":{"verbose":true,"constructor":{"prototype":{"isAdmin":true}}}}'],
  ])('refuses a request with the key %s: -32600 naming its id, and the tool never runs', async (_where, args) => {
    const { url, seen, errors, bystander } = await adminCheckServer();
    const victim = await RawMcpClient.connect(url);
    await victim.initialize();
    victim.sendRaw(`{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"whoami","arguments":${args}}}`);
    const reply = await victim.response(41);
    expect(reply['error']).toMatchObject({ code: -32600, message: expect.stringMatching(/forbidden key/) as unknown });
    expect(seen).toEqual([]);
    expect(errors).toEqual([]);

    const honest = await victim.request('tools/call', { name: 'whoami', arguments: { options: { verbose: true } } });
    expect(honest['result']).toEqual({ content: [{ type: 'text', text: 'user' }] });
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    const stillServed = await bystander.request('tools/call', { name: 'whoami', arguments: { options: { verbose: false } } });
    expect(stillServed['result']).toEqual({ content: [{ type: 'text', text: 'user' }] });
  });

  it('refuses the key in _meta and in a notification alike, replying only where there is an id', async () => {
    const { url, bystander } = await adminCheckServer();
    const victim = await RawMcpClient.connect(url);
    await victim.initialize();
    const replies = await repliesTo(victim, '{"jsonrpc":"2.0","id":42,"method":"tools/list","params":{"_meta":{"__proto__":{"x":1}}}}');
    expect(replies.map((frame) => frame.json?.['error'])).toEqual([expect.objectContaining({ code: -32600 })]);
    expect(replies[0]?.json?.['id']).toBe(42);
    const silent = await repliesTo(victim, '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"__proto__":{"requestId":1}}}');
    expect(silent.map((frame) => frame.json?.['id'])).toEqual([undefined]);
    const served = await bystander.request('tools/call', { name: 'whoami', arguments: { options: { verbose: true } } });
    expect(served['result']).toEqual({ content: [{ type: 'text', text: 'user' }] });
  });
});
