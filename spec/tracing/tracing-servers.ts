/**
 * The traced MCPServer of the tracing specs, on 127.0.0.1:0, with a tool for every way a call can
 * end, and a SimpleMCPClient connected to it. Both are closed by `closeAll()`.
 */
import * as t from 'io-ts';
import { trace } from '@opentelemetry/api';
import { MCPServer, SimpleMCPClient, ToolError, type MCPServerOptions, type ToolCallEvent } from '../../src/mcp/index.js';
import { startMcpServer, track } from '../mcp/support/mcp-fixtures.js';

export interface TracedServer {
  readonly server: MCPServer;
  readonly url: string;
  readonly client: SimpleMCPClient;
  /** Every `toolCalls$` event so far. */
  readonly calls: ToolCallEvent[];
  /** `wait` has been called: its handler runs (and ignores its signal) until `release()`. */
  readonly waiting: Promise<void>;
  release(): void;
}

export async function tracedServer(options: MCPServerOptions): Promise<TracedServer> {
  const calls: ToolCallEvent[] = [];
  let release = (): void => undefined;
  const released = new Promise<string>((resolve) => (release = () => resolve('released')));
  let started = (): void => undefined;
  const waiting = new Promise<void>((resolve) => (started = resolve));
  const { server, url } = await startMcpServer(options, (s: MCPServer) => {
    s.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
    s.registerTool('refuse', { input: t.type({}) }, () => {
      throw new ToolError('not today');
    });
    s.registerTool('boom', { input: t.type({}) }, () => {
      throw new Error('a bug');
    });
    // Starts a span of its own after an await: it must still be a child of the call's span.
    s.registerTool('lookup', { input: t.type({}) }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const span = trace.getTracer('lookup-tool').startSpan('database query');
      await new Promise((resolve) => setImmediate(resolve));
      span.end();
      return 'found';
    });
    s.registerTool('wait', { input: t.type({}) }, () => {
      started();
      return released;
    });
    s.toolCalls$.subscribe((event) => calls.push(event));
  });
  track(server, () => Promise.resolve(release()));
  const client = track(new SimpleMCPClient({ url, transport: { heartbeat: false } }), (c) => c.disconnect());
  await client.connect();
  return { server, url, client, calls, waiting, release };
}
