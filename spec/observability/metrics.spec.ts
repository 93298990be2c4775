/**
 * `nexus-mcp/metrics` over real sockets: an MCPServer serving its registry on its own port, scraped
 * with fetch while raw clients connect, send, call tools and leave.
 */
import * as t from 'io-ts';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { collectMetrics } from '../../src/metrics/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../mcp/support/mcp-fixtures.js';
import { startServer } from '../support/sockets.js';
import { closeAll as closeSockets } from '../support/resources.js';
import { expectSample, sample, scrape, scrapeUntil } from './scrape.js';

afterEach(async () => {
  await closeAll();
  await closeSockets();
});

async function serveWithMetrics(): Promise<{ url: string; metricsUrl: string }> {
  const registry = new Registry();
  const { url, port } = await startMcpServer({ metrics: { registry } }, (server) => {
    server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
    server.registerTool('boom', { input: t.type({}) }, () => {
      throw new Error('boom');
    });
    collectMetrics(server, { registry });
  });
  return { url, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

describe('collectMetrics on an MCPServer, scraped at /metrics', () => {
  it('serves Prometheus text with every metric before any client comes', async () => {
    const { metricsUrl } = await serveWithMetrics();
    const { status, contentType, text } = await scrape(metricsUrl);
    expect(status).toBe(200);
    expect(contentType).toContain('text/plain');
    expectSample(text, 'nexus_mcp_connections', {}, 0);
    expectSample(text, 'nexus_mcp_connections_total', {}, 0);
    expectSample(text, 'nexus_mcp_messages_total', { direction: 'in' }, 0);
    expectSample(text, 'nexus_mcp_rate_limit_refusals_total', { scope: 'message' }, 0);
    expectSample(text, 'nexus_mcp_ready', {}, 1);
    for (const name of ['nexus_mcp_errors_total', 'nexus_mcp_disconnections_total', 'nexus_mcp_slow_consumer_events_total', 'nexus_mcp_tool_call_duration_seconds']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts clients connecting, messages and bytes both ways, tool calls by tool and outcome, and leaving with their close code', async () => {
    const { url, metricsUrl } = await serveWithMetrics();
    const first = await RawMcpClient.connect(url);
    const second = await RawMcpClient.connect(url);
    await scrapeUntil(metricsUrl, (text) => {
      expectSample(text, 'nexus_mcp_connections', {}, 2);
      expectSample(text, 'nexus_mcp_connections_total', {}, 2);
    });

    await first.initialize();
    expect(await first.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } })).toMatchObject({ result: { content: [{ type: 'text', text: '5' }] } });
    expect(await first.request('tools/call', { name: 'add', arguments: { a: 'x' } })).toMatchObject({ result: { isError: true } });
    await first.request('tools/call', { name: 'boom', arguments: {} });
    const afterCalls = await scrapeUntil(metricsUrl, (text) => {
      expectSample(text, 'nexus_mcp_tool_call_duration_seconds_count', { tool: 'add', outcome: 'ok' }, 1);
      expectSample(text, 'nexus_mcp_tool_call_duration_seconds_count', { tool: 'add', outcome: 'invalid_arguments' }, 1);
      // A handler that throws: the client gets an error result, the operator sees 'failed'.
      expectSample(text, 'nexus_mcp_tool_call_duration_seconds_count', { tool: 'boom', outcome: 'failed' }, 1);
    });
    // initialize, its notification, three calls in; four replies out (the notification gets none).
    expectSample(afterCalls, 'nexus_mcp_messages_total', { direction: 'in' }, 5);
    expectSample(afterCalls, 'nexus_mcp_messages_total', { direction: 'out' }, 4);
    expect(sample(afterCalls, 'nexus_mcp_message_bytes_total', { direction: 'in' })).toBeGreaterThan(100);
    expect(sample(afterCalls, 'nexus_mcp_message_bytes_total', { direction: 'out' })).toBeGreaterThan(100);
    expect(sample(afterCalls, 'nexus_mcp_tool_call_duration_seconds_bucket', { tool: 'add', outcome: 'ok', le: '+Inf' })).toBe(1);

    const inBefore = sample(afterCalls, 'nexus_mcp_messages_total', { direction: 'in' }) ?? 0;
    second.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await scrapeUntil(metricsUrl, (text) => expect(sample(text, 'nexus_mcp_messages_total', { direction: 'in' })).toBe(inBefore + 1));

    await first.close();
    await second.close();
    await scrapeUntil(metricsUrl, (text) => {
      expectSample(text, 'nexus_mcp_connections', {}, 0);
      expectSample(text, 'nexus_mcp_connections_total', {}, 2);
      expectSample(text, 'nexus_mcp_disconnections_total', { code: '1005' }, 2);
    });
  });

  it('counts errors by kind and message-rate refusals', async () => {
    const registry = new Registry();
    const { server, url } = await startServer({ metrics: { registry }, messageRate: { rate: 1, burst: 1, maxRefusals: 100 }, messageHandler: () => undefined });
    collectMetrics(server, { registry });
    const metricsUrl = `${server.httpUrl ?? url.replace('ws://', 'http://')}/metrics`;
    const raw = await RawMcpClient.connect(url);
    for (let i = 0; i < 4; i++) raw.send({ type: 'hello', i });
    await scrapeUntil(metricsUrl, (text) => {
      expect(sample(text, 'nexus_mcp_rate_limit_refusals_total', { scope: 'message' })).toBeGreaterThanOrEqual(3);
      expect(sample(text, 'nexus_mcp_errors_total', { kind: 'rate_limited' })).toBeGreaterThanOrEqual(3);
    });
  });

  it('counts connection-rate refusals (HTTP 429) under scope "connection"', async () => {
    const registry = new Registry();
    const { server, url } = await startServer({ metrics: { registry }, connectionRate: { rate: 0.001, burst: 1 } });
    collectMetrics(server, { registry });
    const metricsUrl = `${url.replace('ws://', 'http://')}/metrics`;
    await RawMcpClient.connect(url);
    await expect(RawMcpClient.connect(url)).rejects.toThrow(/429/);
    await scrapeUntil(metricsUrl, (text) => {
      expectSample(text, 'nexus_mcp_rate_limit_refusals_total', { scope: 'connection' }, 1);
      expectSample(text, 'nexus_mcp_errors_total', { kind: 'upgrade_refused' }, 1);
      expectSample(text, 'nexus_mcp_connections_total', {}, 1);
    });
  });
});
