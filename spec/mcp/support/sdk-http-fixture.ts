/**
 * The official SDK's McpServer over its own StreamableHTTPServerTransport on a real port, set up
 * as the SDK documents it: one transport and one McpServer per session, found again by the
 * `mcp-session-id` header. Its tools report progress, ask the client to sample (on the request's
 * stream, or on the session's GET stream) and can close their response stream early to make the
 * client resume. Registered with `track`, so `afterEach(closeAll)` stops it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { track } from '../../support/resources.js';

export interface SdkHttpServerOptions {
  /** Replies as one JSON body instead of an event stream (`enableJsonResponse`). */
  readonly jsonResponse?: boolean;
  /** Keep events for `Last-Event-ID` (the SDK's InMemoryEventStore), with this `retry` for clients, ms. */
  readonly resumable?: { readonly retryMs: number };
}

export interface SdkHttpServer {
  readonly url: string;
  /** The McpServer of each session, in the order they opened. */
  readonly servers: readonly McpServer[];
  /** Session ids the server ended on a DELETE. */
  readonly deleted: readonly string[];
}

const SAMPLE = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }], maxTokens: 5 };

function sdkServer(): McpServer {
  const server = new McpServer({ name: 'sdk-http-fixture', version: '1.0.0' });
  server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  server.registerTool('steps', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let step = 1; step <= n && progressToken !== undefined; step += 1) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: n, message: `step ${step}` } });
    }
    return { content: [{ type: 'text', text: `${n} steps` }] };
  });
  // Sampling tied to the call: on its response stream (only an event stream can carry it).
  server.registerTool('ask', {}, async (extra) => {
    const reply = await extra.sendRequest({ method: 'sampling/createMessage', params: SAMPLE }, CreateMessageResultSchema);
    return { content: [{ type: 'text', text: `the model said ${reply.content.type === 'text' ? reply.content.text : '?'}` }] };
  });
  // Sampling tied to nothing: on the session's GET stream (what a JSON-reply server can still do).
  server.registerTool('ask_aside', {}, async () => {
    const reply = await server.server.createMessage(SAMPLE);
    return { content: [{ type: 'text', text: `the model said ${reply.content.type === 'text' ? reply.content.text : '?'}` }] };
  });
  // Closes its own response stream after the first progress, then answers: the client must resume.
  server.registerTool('poll', {}, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    if (progressToken !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1 } });
    extra.closeSSEStream?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { content: [{ type: 'text', text: 'polled' }] };
  });
  return server;
}

/** Starts the SDK server on 127.0.0.1, port 0. */
export async function startSdkHttpServer(options: SdkHttpServerOptions = {}): Promise<SdkHttpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const servers: McpServer[] = [];
  const deleted: string[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const sessionId = request.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (existing) {
      await existing.handleRequest(request, response);
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: options.jsonResponse === true,
      ...(options.resumable ? { eventStore: new InMemoryEventStore(), retryInterval: options.resumable.retryMs } : {}),
      onsessioninitialized: (id) => void transports.set(id, transport),
      onsessionclosed: (id) => void deleted.push(id),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
    };
    const server = sdkServer();
    servers.push(server);
    await server.connect(transport);
    await transport.handleRequest(request, response);
  };
  const http = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  track(http, async (server) => {
    await Promise.all([...transports.values()].map((transport) => transport.close()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, servers, deleted };
}
