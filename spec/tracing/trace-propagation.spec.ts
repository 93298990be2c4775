/**
 * The caller's trace context, carried in `params._meta` (W3C `traceparent`/`tracestate`, as the
 * OpenTelemetry MCP conventions say) to a real MCPServer over WebSocket: honoured when valid, in
 * both protocol eras; a new root, never an error, when malformed; passed on to the spans the
 * tool's handler starts; written by `traceContextMeta()` on the client side.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ToolCallSettled } from '../../src/mcp/index.js';
import { toolCallTracing, traceContextMeta } from '../../src/tracing/index.js';
import { closeAll, modernMeta, RawMcpClient, track } from '../mcp/support/mcp-fixtures.js';
import { installTracing, spanNamed, spansUntil, type InstalledTracing } from './tracing-fixtures.js';
import { tracedServer } from './tracing-servers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

let tracing: InstalledTracing;
beforeAll(() => {
  tracing = installTracing();
  // Node 20 has no global WebSocket; the SDK's transport needs one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterAll(() => tracing.uninstall());
afterEach(async () => {
  await closeAll();
  tracing.exporter.reset();
});

describe('toolCallTracing: the trace a call belongs to', () => {
  it("continues the caller's trace from _meta.traceparent and tracestate; the handler's own spans are children of the call's", async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const meta = { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
    expect(await client.request('tools/call', { name: 'lookup', arguments: {}, _meta: meta })).toMatchObject({ content: [{ text: 'found' }] });

    const call = await spanNamed(tracing.exporter, 'tools/call lookup');
    expect(call.spanContext().traceId).toBe(TRACE_ID);
    expect(call.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, isRemote: true });
    expect(call.parentSpanContext?.traceState?.get('congo')).toBe('t61rcWkgMzE');
    // The caller's tracestate goes on with the trace.
    expect(call.spanContext().traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');

    const query = await spanNamed(tracing.exporter, 'database query');
    expect(query.spanContext().traceId).toBe(TRACE_ID);
    expect(query.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
  });

  it('reads traceparent in a 2026-07-28 request too, beside the revision keys of _meta', async () => {
    const { url } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const raw = await RawMcpClient.connect(url);
    const reply = await raw.request('tools/call', { name: 'add', arguments: { a: 1, b: 2 }, _meta: modernMeta({ traceparent: TRACEPARENT }) });
    expect(reply).toMatchObject({ result: { content: [{ text: '3' }], resultType: 'complete' } });

    const span = await spanNamed(tracing.exporter, 'tools/call add');
    expect(span.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID });
    expect(span.attributes['mcp.protocol.version']).toBe('2026-07-28');
  });

  it('starts a new root for a malformed traceparent, and the call is answered as usual', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const malformed: unknown[] = [
      `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`, // uppercase hex
      `00-${'0'.repeat(32)}-${PARENT_ID}-01`, // all-zero trace id
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`, // all-zero parent id
      `ff-${TRACE_ID}-${PARENT_ID}-01`, // the forbidden version
      `00-${TRACE_ID}-${PARENT_ID}-01-extra`, // version 00 has exactly four fields
      `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`, // short trace id
      'not a traceparent',
      42,
      { traceId: TRACE_ID },
    ];
    for (const traceparent of malformed) {
      const meta = { traceparent: traceparent as string, tracestate: 'rojo=00f067aa0ba902b7' };
      expect(await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 }, _meta: meta })).toMatchObject({ content: [{ text: '2' }] });
    }

    const spans = await spansUntil(tracing.exporter, (all) => (all.length === malformed.length ? all : undefined), `${malformed.length} spans`);
    for (const span of spans) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE_ID);
    }
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(malformed.length);
  });

  it('accepts a later version of traceparent, reading its first four fields', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 }, _meta: { traceparent: `01-${TRACE_ID}-${PARENT_ID}-01-what-comes-next` } });
    const span = await spanNamed(tracing.exporter, 'tools/call add');
    expect(span.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID });
  });

  it("joins the client's trace when the client puts traceContextMeta() in the request", async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const agent = trace.getTracer('agent');
    const step = await agent.startActiveSpan('agent step', async (span) => {
      await client.request('tools/call', { name: 'add', arguments: { a: 4, b: 5 }, _meta: traceContextMeta() });
      span.end();
      return span;
    });

    const call = await spanNamed(tracing.exporter, 'tools/call add');
    expect(call.spanContext().traceId).toBe(step.spanContext().traceId);
    expect(call.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    expect(traceContextMeta()).toEqual({});
  });

  it("joins the trace of the official SDK's client, over WebSocket and over Streamable HTTP", async () => {
    const { server } = await tracedServer({ wrapToolCall: toolCallTracing() });
    const transports = [new WebSocketClientTransport(new URL(server.url ?? '')), new StreamableHTTPClientTransport(new URL(server.httpUrl ?? ''))];
    const agent = trace.getTracer('agent');
    for (const transport of transports) {
      const sdk = track(new Client({ name: 'sdk', version: '1.0.0' }), (c) => c.close());
      await sdk.connect(transport);
      const step = await agent.startActiveSpan('agent step', async (span) => {
        expect(await sdk.callTool({ name: 'add', arguments: { a: 1, b: 2 }, _meta: traceContextMeta() })).toMatchObject({ content: [{ text: '3' }] });
        span.end();
        return span;
      });
      const call = await spansUntil(tracing.exporter, (spans) => spans.find((s) => s.name === 'tools/call add' && s.spanContext().traceId === step.spanContext().traceId), 'the call span');
      expect(call.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    }
  });

  // What an HTTP instrumentation leaves current while a Streamable HTTP request is served: the
  // wrapper is called directly inside such a span, as the server calls it.
  it("links a span current on the server, and keeps the caller's as the parent", async () => {
    const wrap = toolCallTracing();
    const request = trace.getTracer('http').startSpan('POST /mcp');
    const call = { name: 'add', arguments: {}, sessionId: 's', requestId: 1, protocolVersion: '2025-11-25', signal: new AbortController().signal };
    const run = (): Promise<ToolCallSettled> => Promise.resolve({ outcome: 'ok', result: { content: [] } });
    await context.with(trace.setSpan(context.active(), request), async () => {
      await wrap({ ...call, meta: { traceparent: TRACEPARENT } }, run);
      await wrap({ ...call, meta: undefined, requestId: 2 }, run);
    });
    request.end();

    const [joined, plain] = await spansUntil(tracing.exporter, (spans) => (spans.length === 3 ? spans.filter((s) => s.name === 'tools/call add') : undefined), 'three spans');
    expect(joined?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(joined?.links.map((link) => link.context.spanId)).toEqual([request.spanContext().spanId]);
    // Without the caller's context the current span is the parent, and nothing is linked.
    expect(plain?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(plain?.links).toEqual([]);
  });

  it('reads the context with the propagator it is given: the global one extracts nothing until one is registered', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing({ propagator: propagation }) });
    await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 }, _meta: { traceparent: TRACEPARENT } });
    const span = await spanNamed(tracing.exporter, 'tools/call add');
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('records on the tracer it is given', async () => {
    const { client } = await tracedServer({ wrapToolCall: toolCallTracing({ tracer: tracing.provider.getTracer('my-service', '2.0.0') }) });
    await client.callTool('add', { a: 1, b: 1 });
    const span = await spanNamed(tracing.exporter, 'tools/call add');
    expect(span.instrumentationScope).toMatchObject({ name: 'my-service', version: '2.0.0' });
  });
});
