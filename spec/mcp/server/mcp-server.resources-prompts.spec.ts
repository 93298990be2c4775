/** Resources (list, templates, read, subscribe) and prompts (list, get) on the wire. */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { described } from '../../../src/mcp/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

async function initializedClient(url: string): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  return client;
}

describe('resources', () => {
  async function resourceServer(): Promise<{ url: string; server: Awaited<ReturnType<typeof startMcpServer>>['server'] }> {
    const { url, server } = await startMcpServer({ pageSize: 1 }, (s) => {
      s.registerResource('memo://b', { name: 'b', mimeType: 'text/plain', description: 'second' }, () => 'bee');
      s.registerResource('memo://a', { name: 'a' }, (uri) => [{ uri, mimeType: 'application/json', text: '{"a":1}' }, { uri: `${uri}#raw`, blob: 'AAE=' }]);
      s.registerResourceTemplate('users://{id}/profile', { name: 'profile', mimeType: 'application/json' }, (_uri, { id }) => JSON.stringify({ id }));
      s.registerResourceTemplate('file:///{+path}', { name: 'file' }, (uri, { path }) => ({ contents: [{ uri, text: `contents of ${path ?? ''}` }] }));
    });
    return { url, server };
  }

  it('lists resources and templates page by page, sorted', async () => {
    const { url } = await resourceServer();
    const client = await initializedClient(url);
    const first = (await client.request('resources/list'))['result'] as { resources: unknown[]; nextCursor: string };
    expect(first.resources).toEqual([{ uri: 'memo://a', name: 'a' }]);
    const second = (await client.request('resources/list', { cursor: first.nextCursor }))['result'];
    expect(second).toEqual({ resources: [{ uri: 'memo://b', name: 'b', mimeType: 'text/plain', description: 'second' }] });
    const templates = (await client.request('resources/templates/list'))['result'] as { resourceTemplates: unknown[]; nextCursor: string };
    expect(templates.resourceTemplates).toEqual([{ uriTemplate: 'file:///{+path}', name: 'file' }]);
    expect((await client.request('resources/templates/list', { cursor: templates.nextCursor }))['result']).toEqual({
      resourceTemplates: [{ uriTemplate: 'users://{id}/profile', name: 'profile', mimeType: 'application/json' }],
    });
  });

  it('reads fixed resources and template matches', async () => {
    const { url } = await resourceServer();
    const client = await initializedClient(url);
    expect((await client.request('resources/read', { uri: 'memo://b' }))['result']).toEqual({ contents: [{ uri: 'memo://b', mimeType: 'text/plain', text: 'bee' }] });
    expect((await client.request('resources/read', { uri: 'memo://a' }))['result']).toEqual({
      contents: [
        { uri: 'memo://a', mimeType: 'application/json', text: '{"a":1}' },
        { uri: 'memo://a#raw', blob: 'AAE=' },
      ],
    });
    expect((await client.request('resources/read', { uri: 'users://42/profile' }))['result']).toEqual({
      contents: [{ uri: 'users://42/profile', mimeType: 'application/json', text: '{"id":"42"}' }],
    });
    expect((await client.request('resources/read', { uri: 'file:///etc/hosts' }))['result']).toEqual({ contents: [{ uri: 'file:///etc/hosts', text: 'contents of etc/hosts' }] });
  });

  it('answers an unknown URI with -32002 (legacy) and a missing uri with -32602', async () => {
    const { url } = await resourceServer();
    const client = await initializedClient(url);
    expect((await client.request('resources/read', { uri: 'users://42/other' }))['error']).toEqual({
      code: -32002,
      message: 'Resource not found',
      data: { uri: 'users://42/other' },
    });
    expect((await client.request('resources/read', {}))['error']).toEqual({ code: -32602, message: 'Invalid params for resources/read: params.uri: is required (expected a string)' });
  });

  it('sends notifications/resources/updated to subscribers only, until they unsubscribe', async () => {
    const { url, server } = await resourceServer();
    const subscriber = await initializedClient(url);
    const bystander = await initializedClient(url);
    expect((await subscriber.request('resources/subscribe', { uri: 'memo://b' }))['result']).toEqual({});
    const handle = server.registerResource('memo://c', { name: 'c' }, () => 'c');
    await subscriber.notification('notifications/resources/list_changed');
    server.notifyResourceUpdated('memo://b');
    expect((await subscriber.notification('notifications/resources/updated'))['params']).toEqual({ uri: 'memo://b' });
    await subscriber.request('resources/unsubscribe', { uri: 'memo://b' });
    await subscriber.request('resources/subscribe', { uri: 'memo://c' });
    server.notifyResourceUpdated('memo://b');
    handle.notifyUpdated();
    expect((await subscriber.notification('notifications/resources/updated', 1))['params']).toEqual({ uri: 'memo://c' });
    await bystander.request('ping');
    expect(bystander.received.some((frame) => frame.json?.['method'] === 'notifications/resources/updated')).toBe(false);
  });
});

describe('prompts', () => {
  async function promptServer(): Promise<string> {
    const { url } = await startMcpServer({}, (s) => {
      s.registerPrompt(
        'review',
        { title: 'Code review', description: 'Reviews code', args: t.intersection([t.type({ code: described(t.string, 'The code to review') }), t.partial({ focus: t.string })]) },
        ({ code, focus }) => [
          { role: 'user', content: { type: 'text', text: `Review this${focus === undefined ? '' : ` for ${focus}`}:\n${code}` } },
          { role: 'assistant', content: { type: 'text', text: 'Sure.' } },
        ],
      );
      s.registerPrompt('plain', {}, () => ({ description: 'dynamic', messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }] }));
      s.registerPrompt('broken', {}, () => [{ role: 'robot', content: 'x' }] as never);
    });
    return url;
  }

  it('lists prompts with their arguments derived from the codec', async () => {
    const client = await initializedClient(await promptServer());
    expect((await client.request('prompts/list'))['result']).toEqual({
      prompts: [
        { name: 'broken' },
        { name: 'plain' },
        {
          name: 'review',
          title: 'Code review',
          description: 'Reviews code',
          arguments: [
            { name: 'code', required: true, description: 'The code to review' },
            { name: 'focus', required: false },
          ],
        },
      ],
    });
  });

  it('renders prompts, and answers unknown prompts and invalid arguments with -32602', async () => {
    const client = await initializedClient(await promptServer());
    expect((await client.request('prompts/get', { name: 'review', arguments: { code: 'x = 1', focus: 'style' } }))['result']).toEqual({
      description: 'Reviews code',
      messages: [
        { role: 'user', content: { type: 'text', text: 'Review this for style:\nx = 1' } },
        { role: 'assistant', content: { type: 'text', text: 'Sure.' } },
      ],
    });
    expect((await client.request('prompts/get', { name: 'plain' }))['result']).toEqual({ description: 'dynamic', messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }] });
    expect((await client.request('prompts/get', { name: 'nope' }))['error']).toEqual({ code: -32602, message: 'Unknown prompt', data: { name: 'nope' } });
    expect((await client.request('prompts/get', { name: 'review', arguments: {} }))['error']).toEqual({
      code: -32602,
      message: 'Invalid arguments for prompt "review": arguments.code: is required (expected a string)',
    });
    expect((await client.request('prompts/get', { name: 'review', arguments: { code: 5 } }))['error']).toEqual({
      code: -32602,
      message: 'Invalid params for prompts/get: params.arguments.code: expected a string, got 5',
    });
    expect((await client.request('prompts/get', { name: 'broken' }))['error']).toEqual({ code: -32603, message: 'Prompt "broken" failed with an internal error' });
  });
});
