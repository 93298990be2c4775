/**
 * Tools on the wire: paged listing in a stable order, calls with io-ts-decoded arguments, isError
 * results, structured output, workflows, runtime changes and the operator streams.
 */
import * as t from 'io-ts';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MCPServer, ToolError, type ToolResultBody } from '../../../src/mcp/index.js';
import { allow, deny } from '../../../src/transport/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

async function initializedClient(url: string): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  return client;
}

describe('tools/list', () => {
  it('pages with cursor/nextCursor in name order, stable while tools change between pages', async () => {
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    const { url, server } = await startMcpServer({ pageSize: 2 }, (s) => {
      for (const name of names) s.registerTool(name, { input: t.type({}) }, () => name);
    });
    const client = await initializedClient(url);
    const first = (await client.request('tools/list'))['result'] as { tools: { name: string }[]; nextCursor: string };
    expect(first.tools.map((tool) => tool.name)).toEqual(['alpha', 'bravo']);
    expect(typeof first.nextCursor).toBe('string');

    // A tool sorting before the cursor and one after it appear between pages: nothing repeats or shifts.
    server.registerTool('aardvark', { input: t.type({}) }, () => 'a');
    server.registerTool('foxtrot', { input: t.type({}) }, () => 'f');
    const second = (await client.request('tools/list', { cursor: first.nextCursor }))['result'] as { tools: { name: string }[]; nextCursor: string };
    expect(second.tools.map((tool) => tool.name)).toEqual(['charlie', 'delta']);
    const third = (await client.request('tools/list', { cursor: second.nextCursor }))['result'] as { tools: { name: string }[]; nextCursor?: string };
    expect(third.tools.map((tool) => tool.name)).toEqual(['echo', 'foxtrot']);
    expect(third.nextCursor).toBeUndefined(); // the last page says so
  });

  it('answers a cursor it did not issue with -32602, and a non-string cursor naming the path', async () => {
    const { url } = await startMcpServer();
    const client = await initializedClient(url);
    expect((await client.request('tools/list', { cursor: 'bogus!' }))['error']).toMatchObject({ code: -32602, message: expect.stringContaining('Invalid cursor') as unknown });
    expect((await client.request('tools/list', { cursor: 42 }))['error']).toEqual({
      code: -32602,
      message: 'Invalid params for tools/list: params.cursor: expected a string, got 42',
    });
  });
});

describe('tools/call', () => {
  it('decodes arguments with the codec (optional fields, unions, integers) and names every failing path', async () => {
    const input = t.intersection([
      t.type({ mode: t.union([t.literal('fast'), t.literal('slow')]), count: t.Int, tags: t.array(t.string) }),
      t.partial({ note: t.string }),
    ]);
    const { url } = await startMcpServer({}, (s) => s.registerTool('configure', { input }, (args) => JSON.stringify(args)));
    const client = await initializedClient(url);
    const ok = await client.request('tools/call', { name: 'configure', arguments: { mode: 'fast', count: 2, tags: ['a'] } });
    expect(ok['result']).toEqual({ content: [{ type: 'text', text: '{"mode":"fast","count":2,"tags":["a"]}' }] });

    const bad = await client.request('tools/call', { name: 'configure', arguments: { mode: 'warp', count: 1.5, tags: ['a', 7], note: null } });
    const result = bad['result'] as { isError: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    const text = result.content[0]?.text ?? '';
    expect(text).toMatch(/^Invalid arguments for tool "configure": /);
    expect(text).toContain('arguments.mode: expected "fast" or "slow", got "warp"');
    expect(text).toContain('arguments.count: expected an integer, got 1.5');
    expect(text).toContain('arguments.tags[1]: expected a string, got 7');
  });

  it('treats missing arguments as {} and reports a required field as missing', async () => {
    const { url } = await startMcpServer({}, (s) => s.registerTool('needs', { input: t.type({ city: t.string }) }, ({ city }) => city));
    const client = await initializedClient(url);
    const result = (await client.request('tools/call', { name: 'needs' }))['result'];
    expect(result).toEqual({ content: [{ type: 'text', text: 'Invalid arguments for tool "needs": arguments.city: is required (expected a string)' }], isError: true });
  });

  it('answers an unknown tool with -32602 and malformed call params naming the path', async () => {
    const { url } = await startMcpServer();
    const client = await initializedClient(url);
    expect((await client.request('tools/call', { name: 'ghost' }))['error']).toEqual({ code: -32602, message: 'Unknown tool', data: { name: 'ghost' } });
    expect((await client.request('tools/call', { arguments: {} }))['error']).toEqual({
      code: -32602,
      message: 'Invalid params for tools/call: params.name: is required (expected a string)',
    });
    expect((await client.request('tools/call', { name: 'ghost', arguments: [1] }))['error']).toMatchObject({ code: -32602 });
  });

  it('turns a throwing handler into an isError result with a safe message, details on errors$', async () => {
    const { url, server } = await startMcpServer({}, (s) => {
      s.registerTool('leaky', { input: t.type({}) }, () => {
        throw new Error('password=hunter2 at /srv/secret.ts:12');
      });
      s.registerTool('polite', { input: t.type({}) }, () => {
        throw new ToolError('No such city');
      });
    });
    const reported = firstValueFrom(server.errors$);
    const client = await initializedClient(url);
    const leaky = (await client.request('tools/call', { name: 'leaky' }))['result'];
    expect(leaky).toEqual({ content: [{ type: 'text', text: 'Tool "leaky" failed with an internal error' }], isError: true });
    expect(JSON.stringify(leaky)).not.toContain('hunter2');
    const error = await reported;
    expect(error.context).toBe('tool "leaky"');
    expect(String(error.error)).toContain('hunter2');
    expect((await client.request('tools/call', { name: 'polite' }))['result']).toEqual({ content: [{ type: 'text', text: 'No such city' }], isError: true });
  });

  it('validates output with the output codec before sending it as structuredContent', async () => {
    const Output = t.type({ celsius: t.number, when: t.string });
    const { url } = await startMcpServer({}, (s) => {
      s.registerTool('good', { input: t.type({}), output: Output }, () => ({ celsius: 20, when: 'now' }));
      s.registerTool('bad', { input: t.type({}), output: Output }, () => ({ celsius: 'warm', when: 'now' }) as unknown as t.TypeOf<typeof Output>);
    });
    const client = await initializedClient(url);
    expect((await client.request('tools/call', { name: 'good' }))['result']).toEqual({
      content: [{ type: 'text', text: '{"celsius":20,"when":"now"}' }],
      structuredContent: { celsius: 20, when: 'now' },
    });
    expect((await client.request('tools/call', { name: 'bad' }))['result']).toEqual({
      content: [{ type: 'text', text: 'Tool "bad" produced output that does not match its output schema: structuredContent.celsius: expected a number, got "warm"' }],
      isError: true,
    });
  });

  it('accepts full result bodies and rejects malformed ones without leaking them', async () => {
    const { url } = await startMcpServer({}, (s) => {
      s.registerTool('image', { input: t.type({}) }, (): ToolResultBody => ({ content: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }] }));
      s.registerTool('soft_error', { input: t.type({}) }, (): ToolResultBody => ({ content: [{ type: 'text', text: 'quota exceeded' }], isError: true }));
      s.registerTool('malformed', { input: t.type({}) }, () => ({ content: 'nope' }) as never);
    });
    const client = await initializedClient(url);
    expect((await client.request('tools/call', { name: 'image' }))['result']).toEqual({ content: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }] });
    expect((await client.request('tools/call', { name: 'soft_error' }))['result']).toEqual({ content: [{ type: 'text', text: 'quota exceeded' }], isError: true });
    expect((await client.request('tools/call', { name: 'malformed' }))['result']).toEqual({
      content: [{ type: 'text', text: 'Tool "malformed" failed with an internal error' }],
      isError: true,
    });
  });

  it('reports every call on toolCalls$ with its outcome', async () => {
    const { url, server } = await startMcpServer({}, (s) => {
      s.registerTool('ok', { input: t.type({ n: t.number }) }, () => 'fine');
      s.registerTool('boom', { input: t.type({}) }, () => {
        throw new Error('boom');
      });
    });
    const calls = firstValueFrom(server.toolCalls$.pipe(take(3), toArray()));
    const client = await initializedClient(url);
    await client.request('tools/call', { name: 'ok', arguments: { n: 1 } }, 'a');
    await client.request('tools/call', { name: 'ok', arguments: { n: 'x' } }, 'b');
    await client.request('tools/call', { name: 'boom' }, 'c');
    const recorded = await calls;
    expect(recorded.map(({ name, requestId, outcome }) => ({ name, requestId, outcome }))).toEqual([
      { name: 'ok', requestId: 'a', outcome: 'ok' },
      { name: 'ok', requestId: 'b', outcome: 'invalid_arguments' },
      { name: 'boom', requestId: 'c', outcome: 'failed' },
    ]);
    for (const call of recorded) expect(call.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives handlers the session: client info, request id, upgrade request', async () => {
    const { url } = await startMcpServer({}, (s) =>
      s.registerTool('whoami', { input: t.type({}) }, (_args, ctx) =>
        JSON.stringify({ client: ctx.clientInfo, id: ctx.requestId, version: ctx.protocolVersion, path: ctx.request.url, auth: ctx.authInfo ?? null }),
      ),
    );
    const client = await RawMcpClient.connect(`${url}/mcp?x=1`);
    await client.initialize('2025-06-18', { name: 'me', version: '7' });
    const result = (await client.request('tools/call', { name: 'whoami' }, 'id-9'))['result'] as { content: { text: string }[] };
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual({ client: { name: 'me', version: '7' }, id: 'id-9', version: '2025-06-18', path: '/mcp?x=1', auth: null });
  });
});

describe('authentication', () => {
  it("passes the transport's authenticate hook through: ctx.authInfo and sessions$ carry the principal", async () => {
    const { url, server } = await startMcpServer(
      { authenticate: (request) => (request.query.get('key') === 'sesame' ? allow({ clientId: 'ali', scopes: ['tools'] }) : deny(401)) },
      (s) => s.registerTool('whoami', { input: t.type({}) }, (_args, ctx) => JSON.stringify(ctx.authInfo ?? null)),
    );
    await expect(RawMcpClient.connect(`${url}/?key=wrong`)).rejects.toThrow('401');
    const opened = firstValueFrom(server.sessions$);
    const client = await RawMcpClient.connect(`${url}/?key=sesame`);
    await client.initialize();
    expect((await opened).authInfo).toEqual({ clientId: 'ali', scopes: ['tools'] });
    const result = (await client.request('tools/call', { name: 'whoami' }))['result'] as { content: { text: string }[] };
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual({ clientId: 'ali', scopes: ['tools'] });
  });
});

describe('runtime changes', () => {
  it('sends list_changed to initialized sessions only, for tools, resources and prompts', async () => {
    const { url, server } = await startMcpServer();
    const ready = await initializedClient(url);
    const fresh = await RawMcpClient.connect(url);
    const tool = server.registerTool('late', { input: t.type({}) }, () => 'late');
    await ready.notification('notifications/tools/list_changed');
    server.registerResource('memo://x', { name: 'x' }, () => 'x');
    await ready.notification('notifications/resources/list_changed');
    server.registerPrompt('p', {}, () => 'p');
    await ready.notification('notifications/prompts/list_changed');
    expect(tool.remove()).toBe(true);
    expect(tool.remove()).toBe(false);
    await ready.notification('notifications/tools/list_changed', 1);
    expect(ready.received.filter((frame) => frame.json?.['method'] === 'notifications/tools/list_changed')).toEqual([
      { text: '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}', json: { jsonrpc: '2.0', method: 'notifications/tools/list_changed' }, isBinary: false },
      { text: '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}', json: { jsonrpc: '2.0', method: 'notifications/tools/list_changed' }, isBinary: false },
    ]);
    await fresh.request('ping');
    expect(fresh.received.some((frame) => String(frame.json?.['method']).endsWith('list_changed'))).toBe(false);
  });

  it('refuses duplicate names, bad tool names and non-object codecs at registration', () => {
    const server = new MCPServer({ logger: false });
    server.registerTool('once', { input: t.type({}) }, () => '');
    expect(() => server.registerTool('once', { input: t.type({}) }, () => '')).toThrow('already registered');
    expect(() => server.registerTool('has space', { input: t.type({}) }, () => '')).toThrow('Tool name');
    expect(() => server.registerTool('scalar', { input: t.string }, () => '')).toThrow('must be an object codec');
    expect(() => server.registerTool('fn', { input: t.type({ f: t.Function }) }, () => '')).toThrow('cannot be described by JSON Schema');
  });
});

describe('registerWorkflow', () => {
  it('runs an object workflow or a function on the arguments and lists it as workflow://<name>', async () => {
    const { url } = await startMcpServer({}, (s) => {
      s.registerWorkflow('summarise', { description: 'Sums numbers', run: (args) => ({ total: (args['values'] as number[]).reduce((a, b) => a + b, 0) }) });
      s.registerWorkflow('shout', (args) => String(args['text']).toUpperCase());
    });
    const client = await initializedClient(url);
    expect((await client.request('tools/call', { name: 'summarise', arguments: { values: [1, 2, 3] } }))['result']).toEqual({
      content: [{ type: 'text', text: '{\n  "total": 6\n}' }],
    });
    expect((await client.request('tools/call', { name: 'shout', arguments: { text: 'hi' } }))['result']).toEqual({ content: [{ type: 'text', text: 'HI' }] });
    const resources = (await client.request('resources/list'))['result'] as { resources: unknown[] };
    expect(resources.resources).toEqual([
      { uri: 'workflow://shout', name: 'shout', description: 'Runs the workflow "shout"', mimeType: 'application/json' },
      { uri: 'workflow://summarise', name: 'summarise', description: 'Sums numbers', mimeType: 'application/json' },
    ]);
    const read = (await client.request('resources/read', { uri: 'workflow://summarise' }))['result'] as { contents: { text: string }[] };
    expect(JSON.parse(read.contents[0]?.text ?? '')).toEqual({ name: 'summarise', kind: 'workflow', description: 'Sums numbers', tool: 'summarise', inputSchema: { type: 'object' } });
  });

  it('removing the workflow removes its tool and its resource', async () => {
    const { url, server } = await startMcpServer();
    const workflow = server.registerWorkflow('job', () => 'done');
    const client = await initializedClient(url);
    expect(workflow.remove()).toBe(true);
    expect((await client.request('tools/list'))['result']).toEqual({ tools: [] });
    expect((await client.request('resources/list'))['result']).toEqual({ resources: [] });
  });
});

describe('errors$', () => {
  it('reports failures with their context and the session', async () => {
    const { url, server } = await startMcpServer({}, (s) =>
      s.registerResource('memo://broken', { name: 'broken' }, () => {
        throw new Error('disk on fire');
      }),
    );
    const reported = firstValueFrom(server.errors$.pipe(filter((event) => event.context.startsWith('resource'))));
    const client = await initializedClient(url);
    expect((await client.request('resources/read', { uri: 'memo://broken' }))['error']).toEqual({ code: -32603, message: 'Reading "memo://broken" failed with an internal error' });
    expect(String((await reported).error)).toContain('disk on fire');
  });
});
