/**
 * Revision 2026-07-28, where servers send no requests: a handler's `ctx.elicit`, `ctx.sample` and
 * `ctx.listRoots` make the request's result `input_required` (SEP-2322, multi round-trip
 * requests); the client retries with `inputResponses` and the echoed `requestState`, and the
 * handler, run again from the top, finds its questions answered. The state is checked: issued by
 * this server, for this request and principal, not expired.
 */
import * as t from 'io-ts';
import { asyncScheduler, firstValueFrom, take, toArray, type SchedulerLike } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { InputRequiredError, type MCPServer } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { allow } from '../../../src/transport/index.js';
import { closeAll, modernMeta, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

const EVERYTHING = { elicitation: {}, sampling: {}, roots: {} };
const meta = (capabilities: JsonObject = EVERYTHING): JsonObject => modernMeta({ 'io.modelcontextprotocol/clientCapabilities': capabilities });
const FORM = (message: string, field: string) => ({ message, requestedSchema: { type: 'object' as const, properties: { [field]: { type: 'string' as const } }, required: [field] } });
const accepted = (content: JsonObject): JsonObject => ({ action: 'accept', content });

async function call(client: RawMcpClient, name: string, extra: JsonObject = {}, capabilities?: JsonObject): Promise<JsonObject> {
  return client.request('tools/call', { name, arguments: {}, _meta: meta(capabilities), ...extra });
}

const resultOf = (reply: JsonObject): JsonObject => reply['result'] as JsonObject;

describe('input_required results (2026-07-28)', () => {
  it('asks for input, then completes the retry that carries the answer and the state', async () => {
    let runs = 0;
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('greet', { input: t.type({}) }, async (_args, ctx) => {
        runs += 1;
        const answer = await ctx.elicit(FORM('What is your name?', 'name'), { key: 'user_name' });
        return `Hello, ${String(answer.content?.['name'])}!`;
      });
    });
    const client = await RawMcpClient.connect(url);
    const first = resultOf(await call(client, 'greet'));
    expect(first).toMatchObject({
      resultType: 'input_required',
      inputRequests: { user_name: { method: 'elicitation/create', params: FORM('What is your name?', 'name') } },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'nexus-mcp' } },
    });
    expect(typeof first['requestState']).toBe('string');
    const second = resultOf(await call(client, 'greet', { inputResponses: { user_name: accepted({ name: 'Ada' }) }, requestState: first['requestState'] }));
    expect(second).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Hello, Ada!' }] });
    // The handler ran once per round, from the top.
    expect(runs).toBe(2);
  });

  it('gathers the questions asked together into one round, under default keys', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('everything', { input: t.type({}) }, async (_args, ctx) => {
        const [name, reply, { roots }] = await Promise.all([
          ctx.elicit(FORM('Name?', 'name')),
          ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 10 }),
          ctx.listRoots(),
        ]);
        return `${String(name.content?.['name'])} / ${reply.model} / ${roots.map((root) => root.uri).join()}`;
      });
    });
    const client = await RawMcpClient.connect(url);
    const first = resultOf(await call(client, 'everything'));
    expect(Object.entries(first['inputRequests'] as JsonObject).map(([key, request]) => [key, (request as JsonObject)['method']])).toEqual([
      ['elicitation-1', 'elicitation/create'],
      ['sampling-2', 'sampling/createMessage'],
      ['roots-3', 'roots/list'],
    ]);
    const inputResponses = {
      'elicitation-1': accepted({ name: 'Ada' }),
      'sampling-2': { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm1' },
      'roots-3': { roots: [{ uri: 'file:///w' }] },
    };
    const second = resultOf(await call(client, 'everything', { inputResponses, requestState: first['requestState'] }));
    expect(second['content']).toEqual([{ type: 'text', text: 'Ada / m1 / file:///w' }]);
  });

  it('goes round after round, the state carrying earlier answers, and asks again for what was not answered', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('wizard', { input: t.type({}) }, async (_args, ctx) => {
        const name = await ctx.elicit(FORM('Step 1: name?', 'name'), { key: 'step1' });
        const color = await ctx.elicit(FORM('Step 2: color?', 'color'), { key: 'step2' });
        return `${String(name.content?.['name'])} likes ${String(color.content?.['color'])}`;
      });
    });
    const client = await RawMcpClient.connect(url);
    const r1 = resultOf(await call(client, 'wizard'));
    expect(Object.keys(r1['inputRequests'] as JsonObject)).toEqual(['step1']);
    // The wrong key, and responses without a state: ignored, the question comes again.
    expect(Object.keys(resultOf(await call(client, 'wizard', { inputResponses: { wrong_key: accepted({ name: 'x' }) } }))['inputRequests'] as JsonObject)).toEqual(['step1']);
    const r2 = resultOf(await call(client, 'wizard', { inputResponses: { step1: accepted({ name: 'Ada' }) }, requestState: r1['requestState'] }));
    expect(Object.keys(r2['inputRequests'] as JsonObject)).toEqual(['step2']);
    expect(r2['requestState']).not.toBe(r1['requestState']);
    const r3 = resultOf(await call(client, 'wizard', { inputResponses: { step2: accepted({ color: 'blue' }) }, requestState: r2['requestState'] }));
    expect(r3).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Ada likes blue' }] });
  });

  it('works for prompts/get and resources/read too, and not for other requests', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerPrompt('brief', {}, async (_args, ctx) => `Context: ${String((await ctx.elicit(FORM('Context?', 'context'))).content?.['context'])}`);
      s.registerResource('memo://mine', { name: 'mine' }, async (_uri, ctx) => `roots: ${(await ctx.listRoots()).roots.length}`);
      s.registerPrompt('topic', { args: t.type({ topic: t.string }), complete: { topic: async (_value, _context, ctx) => [(await ctx.listRoots()).roots.length.toString()] } }, () => 'x');
    });
    const client = await RawMcpClient.connect(url);
    const prompt = resultOf(await client.request('prompts/get', { name: 'brief', _meta: meta() }));
    expect(prompt['resultType']).toBe('input_required');
    const prompted = resultOf(
      await client.request('prompts/get', { name: 'brief', _meta: meta(), inputResponses: { 'elicitation-1': accepted({ context: 'tests' }) }, requestState: prompt['requestState'] }),
    );
    expect(prompted).toMatchObject({ resultType: 'complete', messages: [{ role: 'user', content: { type: 'text', text: 'Context: tests' } }] });
    const read = resultOf(await client.request('resources/read', { uri: 'memo://mine', _meta: meta() }));
    expect(read['resultType']).toBe('input_required');
    expect(read).not.toHaveProperty('ttlMs'); // cache hints are for complete results
    const done = resultOf(await client.request('resources/read', { uri: 'memo://mine', _meta: meta(), inputResponses: { 'roots-1': { roots: [] } }, requestState: read['requestState'] }));
    expect(done).toMatchObject({ resultType: 'complete', contents: [{ uri: 'memo://mine', text: 'roots: 0' }], ttlMs: 0 });
    // completion/complete may not be answered input_required: the completer cannot ask.
    const completion = await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'topic' }, argument: { name: 'topic', value: '' }, _meta: meta() });
    expect(completion['error']).toMatchObject({ code: -32603 });
  });

  it('answers -32021 when the request did not declare the capability, and asks nothing', async () => {
    const { url } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('greet', { input: t.type({}) }, async (_args, ctx) => JSON.stringify(await ctx.elicit(FORM('Name?', 'name'))));
    });
    const client = await RawMcpClient.connect(url);
    expect((await call(client, 'greet', {}, { sampling: {} }))['error']).toEqual({
      code: -32021,
      message: 'The client did not declare the "elicitation" capability that elicitation/create needs',
      data: { requiredCapabilities: { elicitation: { form: {} } } },
    });
  });

  it('ends the first run: pending asks reject with InputRequiredError, the signal aborts, toolCalls$ says input_required, errors$ stays quiet', async () => {
    const seen: unknown[] = [];
    const { url, server } = await startMcpServer({}, (s: MCPServer) => {
      s.registerTool('asker', { input: t.type({}) }, async (_args, ctx) => {
        try {
          await ctx.listRoots();
        } catch (error) {
          seen.push(error, ctx.signal.reason);
          throw error;
        }
        return 'done';
      });
    });
    const errors: unknown[] = [];
    server.errors$.subscribe((event) => errors.push(event));
    const outcomes = firstValueFrom(server.toolCalls$.pipe(take(1), toArray()));
    const client = await RawMcpClient.connect(url);
    expect(resultOf(await call(client, 'asker'))['resultType']).toBe('input_required');
    expect((await outcomes).map((event) => event.outcome)).toEqual(['input_required']);
    expect(seen[0]).toBeInstanceOf(InputRequiredError);
    expect(seen[1]).toBe(seen[0]);
    expect(errors).toEqual([]);
  });
});

describe('requestState is checked', () => {
  const clock = { offsetMs: 0 };
  // Real timers, a clock that can be moved forward: the state's expiry reads the server's clock.
  const scheduler = Object.create(asyncScheduler, { now: { value: () => Date.now() + clock.offsetMs } }) as SchedulerLike;

  async function firstRound(options = {}, url?: string): Promise<{ client: RawMcpClient; state: string; server: MCPServer | undefined }> {
    let server: MCPServer | undefined;
    let target = url;
    if (target === undefined) {
      const started = await startMcpServer({ scheduler, requestState: { ttlMs: 60_000 }, ...options }, (s: MCPServer) => {
        s.registerTool('greet', { input: t.type({ who: t.string }) }, async ({ who }, ctx) => `${who}: ${String((await ctx.elicit(FORM('Name?', 'name'))).content?.['name'])}`);
      });
      server = started.server;
      target = started.url;
    }
    const client = await RawMcpClient.connect(target);
    const first = resultOf(await call(client, 'greet', { arguments: { who: 'a' } }));
    return { client, state: first['requestState'] as string, server };
  }

  const retry = (client: RawMcpClient, state: string, who = 'a'): Promise<JsonObject> =>
    call(client, 'greet', { arguments: { who }, inputResponses: { 'elicitation-1': accepted({ name: 'Ada' }) }, requestState: state });

  it('refuses a state that was altered, or issued for other arguments, with -32602', async () => {
    const { client, state } = await firstRound();
    const [body = '', mac = ''] = state.split('.');
    const forged = `${Buffer.from(Buffer.from(body, 'base64url').toString('utf8').replace('"expires":', '"expires":9')).toString('base64url')}.${mac}`;
    expect((await retry(client, forged))['error']).toEqual({ code: -32602, message: 'Invalid requestState: it was not issued by this server, or was altered' });
    expect((await retry(client, 'garbage'))['error']).toMatchObject({ code: -32602 });
    expect((await retry(client, state, 'b'))['error']).toEqual({
      code: -32602,
      message: 'Invalid requestState: it was issued for another request (the method and params of a retry must be those of the original)',
    });
    expect(resultOf(await retry(client, state))['content']).toEqual([{ type: 'text', text: 'a: Ada' }]);
  });

  it('refuses a state past its ttlMs, and one from a server with another secret', async () => {
    const { client, state } = await firstRound();
    clock.offsetMs = 60_001;
    try {
      expect((await retry(client, state))['error']).toEqual({ code: -32602, message: 'Invalid requestState: it has expired; send the request again without it' });
    } finally {
      clock.offsetMs = 0;
    }
    const other = await firstRound({ requestState: { secret: 'another secret of 16+ chars' } });
    expect((await retry(other.client, state))['error']).toMatchObject({ code: -32602, message: 'Invalid requestState: it was not issued by this server, or was altered' });
  });

  it('refuses a state issued to another principal', async () => {
    const { url } = await startMcpServer(
      { authenticate: (request) => allow({ clientId: request.query.get('user') ?? 'nobody', scopes: [] }) },
      (s: MCPServer) => s.registerTool('greet', { input: t.type({ who: t.string }) }, async (_args, ctx) => JSON.stringify(await ctx.elicit(FORM('Name?', 'name')))),
    );
    const { state } = await firstRound({}, `${url}/?user=alice`);
    const bob = await RawMcpClient.connect(`${url}/?user=bob`);
    expect((await retry(bob, state))['error']).toEqual({ code: -32602, message: 'Invalid requestState: it was issued to another principal' });
  });
});
