/**
 * `toolCallTracing()` on a real MCPServer over WebSocket, called by SimpleMCPClient: one SERVER
 * span per tools/call with the OpenTelemetry MCP conventions' name and attributes, its status by
 * how the call ended (input_required included), a cancelled call's span ended at the cancellation;
 * and no span at all, nor any current span in handlers, without the option.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import * as t from 'io-ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { McpError, SimpleMCPClient } from '../../src/mcp/index.js';
import { toolCallTracing, TRACER_NAME } from '../../src/tracing/index.js';
import type { JsonObject } from '../../src/protocol/index.js';
import { closeAll, modernMeta, RawMcpClient, startMcpServer, track } from '../mcp/support/mcp-fixtures.js';
import { installTracing, spanNamed, spansUntil, type InstalledTracing } from './tracing-fixtures.js';
import { tracedServer } from './tracing-servers.js';

let tracing: InstalledTracing;
beforeAll(() => {
  tracing = installTracing();
});
afterAll(() => tracing.uninstall());
afterEach(async () => {
  await closeAll();
  tracing.exporter.reset();
});

describe('toolCallTracing: the span of each tools/call', () => {
  it('is a SERVER span named "tools/call <tool>" with the MCP attributes, status unset when the call succeeds', async () => {
    const { client, calls, server } = await tracedServer({ wrapToolCall: toolCallTracing() });
    expect(await client.callTool('add', { a: 2, b: 3 })).toMatchObject({ content: [{ type: 'text', text: '5' }] });

    const span = await spanNamed(tracing.exporter, 'tools/call add');
    const [event] = calls;
    expect(event).toBeDefined();
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.instrumentationScope.name).toBe(TRACER_NAME);
    expect(span.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'add',
      'jsonrpc.request.id': String(event?.requestId),
      'mcp.session.id': event?.sessionId,
      'mcp.protocol.version': '2025-11-25',
      'nexus_mcp.tool_call.outcome': 'ok',
    });
    expect(server.sessionIds()).toEqual([event?.sessionId]);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // No caller's context and nothing current on the server: a root, linked to nothing.
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links).toEqual([]);
  });

  it('is ERROR with error.type "tool_error" for every isError result, the finer outcome beside it', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    expect(await client.callTool('refuse')).toMatchObject({ isError: true, content: [{ text: 'not today' }] });
    expect(await client.callTool('add', { a: 'two' })).toMatchObject({ isError: true });
    expect(await client.callTool('boom')).toMatchObject({ isError: true });

    const spans = await spansUntil(tracing.exporter, (all) => (all.length === 3 ? all : undefined), 'three spans');
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    for (const [name, outcome] of [
      ['tools/call refuse', 'tool_error'],
      ['tools/call add', 'invalid_arguments'],
      ['tools/call boom', 'failed'],
    ] as const) {
      const span = byName[name];
      expect(span?.status, name).toEqual({ code: SpanStatusCode.ERROR, message: outcome });
      expect(span?.attributes['error.type'], name).toBe('tool_error');
      expect(span?.attributes['nexus_mcp.tool_call.outcome'], name).toBe(outcome);
    }
  });

  it('is ERROR with the JSON-RPC code as error.type when the call is answered with an error, named plainly for an unknown tool', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const refused = await client.callTool('no-such-tool').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32602);

    // The name is the client's: the span keeps it as an attribute, not as its name.
    const span = await spanNamed(tracing.exporter, 'tools/call');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Unknown tool' });
    expect(span.attributes).toMatchObject({ 'error.type': '-32602', 'rpc.response.status_code': '-32602', 'gen_ai.tool.name': 'no-such-tool' });
  });

  it('ends when the client cancels, marked cancelled, though the handler runs on', async () => {
    const server = await tracedServer({ wrapToolCall: toolCallTracing() });
    const cancelling = new AbortController();
    const call = server.client.callTool('wait', {}, { signal: cancelling.signal }).catch((error: unknown) => error);
    await server.waiting;
    cancelling.abort(new Error('the user gave up'));
    expect(await call).toBeInstanceOf(Error);

    const span = await spanNamed(tracing.exporter, 'tools/call wait');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'cancelled' });
    expect(span.attributes).toMatchObject({ 'error.type': 'cancelled', 'nexus_mcp.tool_call.outcome': 'cancelled' });
    expect(server.calls).toEqual([]);

    // The handler finishing later changes nothing: the span ended once.
    server.release();
    await spansUntil(tracing.exporter, () => (server.calls.length === 1 ? true : undefined), 'the handler to finish');
    expect(tracing.exporter.getFinishedSpans().filter((s) => s.name === 'tools/call wait')).toEqual([span]);
  });

  it('leaves the status unset when a 2026-07-28 call is answered input_required, and when its retry completes', async () => {
    const { url } = await startMcpServer({ wrapToolCall: toolCallTracing() }, (server) => {
      server.registerTool('greet', { input: t.type({}) }, async (_args, ctx) => {
        const answer = await ctx.elicit({ message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } }, { key: 'name' });
        return `Hello, ${String(answer.content?.['name'])}`;
      });
    });
    const raw = await RawMcpClient.connect(url);
    const meta = modernMeta({ 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } });
    const first = await raw.request('tools/call', { name: 'greet', arguments: {}, _meta: meta });
    const asked = first['result'] as JsonObject;
    expect(asked['resultType']).toBe('input_required');
    const retry = { name: 'greet', arguments: {}, _meta: meta, inputResponses: { name: { action: 'accept', content: { name: 'Ada' } } }, requestState: asked['requestState'] };
    expect(await raw.request('tools/call', retry)).toMatchObject({ result: { content: [{ text: 'Hello, Ada' }], resultType: 'complete' } });

    const spans = await spansUntil(tracing.exporter, (all) => (all.length === 2 ? all : undefined), 'two spans');
    expect(spans.map((span) => [span.attributes['nexus_mcp.tool_call.outcome'], span.status.code, span.attributes['error.type']])).toEqual([
      ['input_required', SpanStatusCode.UNSET, undefined],
      ['ok', SpanStatusCode.UNSET, undefined],
    ]);
  });

  it('records nothing, and handlers see no current span, without the option', async () => {
    const seen: unknown[] = [];
    const { url } = await startMcpServer({}, (server) => {
      server.registerTool('peek', { input: t.type({}) }, () => {
        seen.push(trace.getActiveSpan());
        return 'peeked';
      });
    });
    const client = track(new SimpleMCPClient({ url, transport: { heartbeat: false } }), (c) => c.disconnect());
    await client.connect();
    expect(await client.callTool('peek')).toMatchObject({ content: [{ text: 'peeked' }] });
    expect(seen).toEqual([undefined]);
    // A tracer provider is registered globally: an instrumented call would have left a span.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(true);
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
  });
});
