/**
 * What the MCP layer tells its peer about each message it sends: the id of the client request it
 * belongs to (`relatedTo`). An edge with one stream per request (Streamable HTTP) routes by it, so
 * progress, log messages and requests to the client made while serving a request must name that
 * request; listen-stream notifications name their listen request; the rest name none. The peer
 * here records what `ServerCore` hands it: it is the interface such an edge implements.
 */
import * as t from 'io-ts';
import { asyncScheduler, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { ServerCore } from '../../../src/mcp/server/server-core.js';
import type { McpPeer } from '../../../src/mcp/server/sessions/session.js';
import type { CloseInfo } from '../../../src/transport/index.js';
import { modernMeta } from '../support/mcp-fixtures.js';

interface Sent {
  readonly message: JsonObject;
  /** The request's key, as the transport's `requestKey` option keys it (`jsonRpcRequestKey`). */
  readonly relatedTo: string | undefined;
}

function recordingPeer(): { peer: McpPeer; sent: Sent[]; closed: Subject<CloseInfo> } {
  const sent: Sent[] = [];
  const closed = new Subject<CloseInfo>();
  const peer: McpPeer = {
    id: 'peer-1',
    request: { url: '/', headers: {} },
    closed$: closed,
    send: (message, relatedTo) => {
      sent.push({ message, relatedTo });
      return true;
    },
    close: () => closed.next({ code: 1000, reason: '' }),
  };
  return { peer, sent, closed };
}

function core(): ServerCore {
  return new ServerCore({
    serverInfo: { name: 'related', version: '1' },
    instructions: undefined,
    pageSize: 100,
    cache: { ttlMs: 0, scope: 'private' },
    notificationReceiptMs: undefined,
    clientRequestTimeoutMs: 5000,
    requestState: { secret: undefined, ttlMs: 60_000 },
    scheduler: asyncScheduler,
  });
}

const methodOf = (entry: Sent): unknown => entry.message['method'];

describe('relatedTo: the request each outgoing message belongs to', () => {
  it('ties progress, log messages and requests to the client to the request being served; list_changed to none', async () => {
    const server = core();
    server.tools.add('chatty', { input: t.type({}) }, async (_args, ctx) => {
      ctx.progress(1, 2);
      ctx.log('info', 'working');
      const { roots } = await ctx.listRoots();
      return `${roots.length} roots`;
    });
    const { peer, sent } = recordingPeer();
    await server.handle(peer, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { roots: {} }, clientInfo: { name: 'c', version: '1' } } });
    const reply = server.handle(peer, { jsonrpc: '2.0', id: 'call', method: 'tools/call', params: { name: 'chatty', _meta: { progressToken: 'p' } } });
    await Promise.resolve();
    const asked = sent.find((entry) => methodOf(entry) === 'roots/list');
    expect(asked?.relatedTo).toBe('s:call');
    // A response gets no reply: handle() gives back nothing to send.
    expect(server.handle(peer, { jsonrpc: '2.0', id: asked?.message['id'], result: { roots: [{ uri: 'file:///a' }] } })).toBeUndefined();
    expect(await reply).toEqual({ jsonrpc: '2.0', id: 'call', result: { content: [{ type: 'text', text: '1 roots' }] } });
    expect(sent.map((entry) => [methodOf(entry), entry.relatedTo])).toEqual([
      ['notifications/progress', 's:call'],
      ['notifications/message', 's:call'],
      ['roots/list', 's:call'],
    ]);
    server.tools.add('another', { input: t.type({}) }, () => 'x');
    expect(sent.at(-1)).toEqual({ message: { jsonrpc: '2.0', method: 'notifications/tools/list_changed' }, relatedTo: undefined });
  });

  it('ties listen-stream notifications to their subscriptions/listen request', async () => {
    const server = core();
    const { peer, sent } = recordingPeer();
    const listening = server.handle(peer, { jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: modernMeta() } });
    server.tools.add('new_tool', { input: t.type({}) }, () => 'x');
    expect(sent.map((entry) => [methodOf(entry), entry.relatedTo])).toEqual([
      ['notifications/subscriptions/acknowledged', 's:listen-1'],
      ['notifications/tools/list_changed', 's:listen-1'],
    ]);
    server.beginStopping();
    expect(await listening).toMatchObject({ id: 'listen-1', result: { resultType: 'complete' } });
  });
});
