/**
 * MCP change notifications across the nodes of a LocalCluster (one process, no broker): a list
 * change or a resource update raised on any node reaches the sessions of every node that asked
 * for it, once each; progress stays with the node running the request.
 */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer } from '../../../src/mcp/index.js';
import { LocalCluster } from '../../../src/transport/index.js';
import { closeAll, modernMeta, RawMcpClient, startMcpServer, type Frame } from '../support/mcp-fixtures.js';

afterEach(closeAll);

const ofMethod = (client: RawMcpClient, method: string): Frame[] => client.received.filter((frame) => frame.json?.['method'] === method);

function withResources(server: MCPServer): void {
  server.registerResource('note://a', { name: 'a' }, () => 'a');
  server.registerResource('note://marker', { name: 'marker' }, () => 'marker');
}

async function twoNodes() {
  const cluster = new LocalCluster();
  const a = await startMcpServer({ cluster: cluster.node('a') }, withResources);
  const b = await startMcpServer({ cluster: cluster.node('b') }, withResources);
  return { a, b };
}

async function subscribed(url: string, ...uris: string[]): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  for (const uri of uris) await client.request('resources/subscribe', { uri });
  return client;
}

describe('MCP notifications in a cluster', () => {
  it('delivers tools/list_changed raised on one node to the sessions of every node, once each', async () => {
    const { a, b } = await twoNodes();
    const onA = await subscribed(a.url);
    const onB = await subscribed(b.url);
    b.server.registerTool('late', { description: 'registered on b', input: t.type({}) }, () => 'late');
    await onA.notification('notifications/tools/list_changed');
    await onB.notification('notifications/tools/list_changed');
    // A marker raised after it arrives after it: had the change come twice, the second would be before the marker.
    a.server.registerPrompt('marker', { description: 'marker', args: t.type({}) }, () => 'm');
    await onA.notification('notifications/prompts/list_changed');
    await onB.notification('notifications/prompts/list_changed');
    expect(ofMethod(onA, 'notifications/tools/list_changed')).toHaveLength(1);
    expect(ofMethod(onB, 'notifications/tools/list_changed')).toHaveLength(1);
  });

  it('delivers resources/updated raised on one node to the subscribed sessions of every node, once each', async () => {
    const { a, b } = await twoNodes();
    const onA = await subscribed(a.url, 'note://a', 'note://marker');
    const onB = await subscribed(b.url, 'note://marker');
    b.server.notifyResourceUpdated('note://a');
    expect((await onA.notification('notifications/resources/updated'))['params']).toEqual({ uri: 'note://a' });
    b.server.notifyResourceUpdated('note://marker');
    a.server.notifyResourceUpdated('note://marker');
    await onA.notification('notifications/resources/updated', 2);
    await onB.notification('notifications/resources/updated', 1);
    expect(ofMethod(onA, 'notifications/resources/updated').map((frame) => frame.json?.['params'])).toEqual([{ uri: 'note://a' }, { uri: 'note://marker' }, { uri: 'note://marker' }]);
    // onB never subscribed to note://a.
    expect(ofMethod(onB, 'notifications/resources/updated').map((frame) => frame.json?.['params'])).toEqual([{ uri: 'note://marker' }, { uri: 'note://marker' }]);
  });

  it('reaches a 2026-07-28 subscriptions/listen stream on another node', async () => {
    const { a, b } = await twoNodes();
    const listener = await RawMcpClient.connect(a.url);
    listener.send({ jsonrpc: '2.0', id: 'listen', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['note://a'] }, _meta: modernMeta() } });
    await listener.notification('notifications/subscriptions/acknowledged');
    b.server.registerTool('late', { description: 'registered on b', input: t.type({}) }, () => 'late');
    b.server.notifyResourceUpdated('note://a');
    const changed = await listener.notification('notifications/tools/list_changed');
    const updated = await listener.notification('notifications/resources/updated');
    expect(changed['params']).toEqual({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen' } });
    expect(updated['params']).toEqual({ uri: 'note://a', _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen' } });
  });

  it('keeps progress with the node running the request: nothing of it reaches another node', async () => {
    const { a, b } = await twoNodes();
    a.server.registerTool('slow', { description: 'reports progress', input: t.type({}) }, (_args, ctx) => {
      ctx.progress(1, 2, 'half');
      return 'done';
    });
    const caller = await subscribed(a.url);
    const bystander = await subscribed(b.url);
    const reply = await caller.request('tools/call', { name: 'slow', arguments: {}, _meta: { progressToken: 'p' } });
    expect(reply['result']).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
    expect(ofMethod(caller, 'notifications/progress')).toHaveLength(1);
    // A change raised after the call reaches the bystander: anything the call sent would be there by now.
    a.server.notifyResourceUpdated('note://x');
    a.server.registerTool('after', { description: 'marker', input: t.type({}) }, () => 'm');
    await bystander.notification('notifications/tools/list_changed');
    expect(bystander.received.filter((frame) => frame.json?.['method'] === 'notifications/progress')).toEqual([]);
  });

  it('does not publish what a node registers before it starts', async () => {
    const cluster = new LocalCluster();
    const a = await startMcpServer({ cluster: cluster.node('a') });
    const onA = await subscribed(a.url);
    await startMcpServer({ cluster: cluster.node('b') }, (server) => server.registerTool('boot', { description: 'at boot', input: t.type({}) }, () => 'b'));
    a.server.registerPrompt('marker', { description: 'marker', args: t.type({}) }, () => 'm');
    await onA.notification('notifications/prompts/list_changed');
    expect(ofMethod(onA, 'notifications/tools/list_changed')).toEqual([]);
  });
});
