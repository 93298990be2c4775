/**
 * What every setup of shared Streamable HTTP sessions must do (a LocalCluster with an in-memory
 * store, Redis with RedisMcpSessionStore): the official SDK client through a round-robin balancer,
 * each request on a new connection, so that its requests land on both nodes.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import type { MCPServer, McpSessionStore } from '../../../src/mcp/index.js';
import type { RoundRobinBalancer } from '../../cluster/support/round-robin-balancer.js';
import { track } from '../../support/resources.js';
import { freshConnectionFetch } from './fresh-connection-fetch.js';
import { openEvents, post } from './http-requests.js';
import { modernMeta } from './mcp-fixtures.js';

export interface ClusterUnderTest {
  readonly nodes: readonly MCPServer[];
  readonly balancer: RoundRobinBalancer;
  readonly store: McpSessionStore;
}

/** Tools and resources every node registers alike. */
export function withFeatures(server: MCPServer): void {
  server.registerTool('add', { description: 'adds', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  for (const name of ['a', 'probe', 'marker']) server.registerResource(`note://${name}`, { name }, () => name);
  // Asks the client's model while serving the call: the client's answer may reach the other node.
  server.registerTool('ask', { description: 'asks the model', input: t.type({}) }, async (_args, ctx) => {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }, { timeoutMs: 5000 });
    const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
    return `the model said ${content?.type === 'text' ? content.text : '?'}`;
  });
}

/** The SDK client, its notifications recorded, connected through the balancer. */
export async function sdkThrough(balancer: RoundRobinBalancer, path: string) {
  const updates: string[] = [];
  const listChanges: number[] = [];
  const client = new Client({ name: 'shared-sessions-spec', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', model: 'spec', content: { type: 'text', text: 'hello' } }));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updates.push(notification.params.uri);
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    listChanges.push(updates.length);
  });
  const transport = new StreamableHTTPClientTransport(new URL(balancer.url('http', path)), { fetch: freshConnectionFetch() });
  track(client, (c) => c.close());
  await client.connect(transport);
  return { client, transport, updates, listChanges };
}

/** Waits until `condition` holds, checking every 25 ms; fails after `withinMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Raises probe updates on the nodes in turn until one reaches the client: its GET stream is open (then counted ones start). */
export async function streamOpen(nodes: readonly MCPServer[], updates: readonly string[]): Promise<void> {
  let turn = 0;
  await until(() => {
    nodes[turn++ % nodes.length]?.notifyResourceUpdated('note://probe');
    return updates.includes('note://probe');
  }, 'the GET stream carries notifications');
}

const pathOf = (server: MCPServer): string => new URL(server.httpUrl ?? 'http://x/').pathname;
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/** Opens a session with a raw POST to `server`; its id. */
export async function openSession(server: MCPServer): Promise<string> {
  const opened = await post(server.httpUrl ?? '', initialize);
  const id = opened.headers.get('mcp-session-id');
  if (opened.status !== 200 || id === null) throw new Error(`initialize answered ${opened.status}`);
  return id;
}

const listTools = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });

export function sharedSessionSpecs(setup: string, start: (options?: { ttlMs?: number }) => Promise<ClusterUnderTest>): void {
  describe(`Streamable HTTP sessions on any node (${setup})`, () => {
    it('serves the SDK client across both nodes: tools, a subscription, and notifications raised on either node, once each', async () => {
      const { nodes, balancer } = await start();
      const { client, updates, listChanges } = await sdkThrough(balancer, pathOf(nodes[0] as MCPServer));
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['add', 'ask']);
      for (let n = 1; n <= 4; n += 1) expect(await client.callTool({ name: 'add', arguments: { a: n, b: 1 } })).toMatchObject({ content: [{ type: 'text', text: String(n + 1) }] });
      await client.subscribeResource({ uri: 'note://probe' });
      await client.subscribeResource({ uri: 'note://a' });
      // Requests of the one session reached both nodes.
      for (const node of nodes) expect(balancer.served.get(node.address?.port ?? 0) ?? 0).toBeGreaterThan(2);
      await streamOpen(nodes, updates);
      const counted = updates.length;
      nodes[0]?.notifyResourceUpdated('note://a');
      nodes[1]?.notifyResourceUpdated('note://a');
      nodes[1]?.registerTool('late', { description: 'on b only', input: t.type({}) }, () => 'late');
      await client.subscribeResource({ uri: 'note://marker' });
      nodes[0]?.notifyResourceUpdated('note://marker');
      await until(() => updates.includes('note://marker'), 'the marker');
      const heard = updates.slice(counted).filter((uri) => uri !== 'note://probe');
      expect(heard).toEqual(['note://a', 'note://a', 'note://marker']);
      expect(listChanges).toHaveLength(1);
    });

    it('takes the client’s answer to a request a node made while serving a call, whichever node it reaches', async () => {
      const { nodes, balancer } = await start();
      const { client } = await sdkThrough(balancer, pathOf(nodes[0] as MCPServer));
      const before = new Map(nodes.map((node) => [node, balancer.served.get(node.address?.port ?? 0) ?? 0]));
      for (let n = 0; n < 4; n += 1) expect(await client.callTool({ name: 'ask', arguments: {} })).toMatchObject({ content: [{ type: 'text', text: 'the model said hello' }] });
      // Four calls and four answers on new connections: both nodes served some.
      for (const node of nodes) expect((balancer.served.get(node.address?.port ?? 0) ?? 0) - (before.get(node) ?? 0)).toBeGreaterThan(0);
    });

    it('ends a session on every node with a DELETE on one', async () => {
      const { nodes, balancer } = await start();
      const { client, transport } = await sdkThrough(balancer, pathOf(nodes[0] as MCPServer));
      await client.listTools();
      await client.listTools();
      const id = transport.sessionId ?? '';
      await transport.terminateSession();
      for (const node of nodes) expect((await post(node.httpUrl ?? '', listTools(7), { 'mcp-session-id': id })).status).toBe(404);
    });

    it('closes the GET stream another node holds when a DELETE ends the session', async () => {
      const { nodes } = await start();
      const [a, b] = nodes as [MCPServer, MCPServer];
      const id = await openSession(a);
      const events = await openEvents(b.httpUrl ?? '', { 'mcp-session-id': id });
      const deleted = await fetch(a.httpUrl ?? '', { method: 'DELETE', headers: { 'mcp-session-id': id } });
      expect(deleted.status).toBe(200);
      await expect(events.next()).rejects.toThrow('the stream ended');
      expect(await events.ended).toBe(true);
    });

    it('keeps a session whose GET stream is open alive past its time to live, and lets it expire once the stream is gone', async () => {
      const { nodes, store } = await start({ ttlMs: 300 });
      const [a, b] = nodes as [MCPServer, MCPServer];
      const id = await openSession(a);
      const events = await openEvents(b.httpUrl ?? '', { 'mcp-session-id': id });
      // Several TTLs with no request: the open stream is use enough.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(await store.get(id)).toBeDefined();
      expect((await post(a.httpUrl ?? '', listTools(4), { 'mcp-session-id': id })).status).toBe(200);
      events.close();
      await until(async () => (await store.get(id)) === undefined, 'the session expires once nobody listens');
      expect((await post(b.httpUrl ?? '', listTools(5), { 'mcp-session-id': id })).status).toBe(404);
    });

    it('answers 404 for a session id no node knows', async () => {
      const { nodes } = await start();
      for (const node of nodes) {
        const answered = await post(node.httpUrl ?? '', listTools(1), { 'mcp-session-id': 'no-such-session' });
        expect(answered.status).toBe(404);
        expect(answered.json).toMatchObject({ error: { code: -32001 } });
      }
    });

    it('answers 404 once a session went unused past its time to live', async () => {
      const { nodes, store } = await start({ ttlMs: 300 });
      const [a, b] = nodes as [MCPServer, MCPServer];
      const id = await openSession(a);
      expect((await post(b.httpUrl ?? '', listTools(2), { 'mcp-session-id': id })).status).toBe(200);
      await until(async () => (await store.get(id)) === undefined, 'the session expires in the store');
      for (const node of nodes) expect((await post(node.httpUrl ?? '', listTools(3), { 'mcp-session-id': id })).status).toBe(404);
    });

    it('serves a 2026-07-28 request on any node with no session at all (that revision keeps no session state)', async () => {
      const { nodes, store } = await start();
      for (const node of nodes) {
        const answered = await post(node.httpUrl ?? '', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 }, _meta: modernMeta() } });
        expect(answered.headers.get('mcp-session-id')).toBeNull();
        expect(answered.json).toMatchObject({ result: { content: [{ type: 'text', text: '5' }], resultType: 'complete' } });
      }
      expect(await store.get('anything')).toBeUndefined();
    });
  });
}
