/**
 * `nexus-mcp expose` over Streamable HTTP: which request each message of a child belongs to, so
 * that its reply ends that request's HTTP exchange and its progress travels on that request's
 * stream. Pure bookkeeping, checked message by message.
 */
import { describe, expect, it } from 'vitest';
import { RequestStreams } from '../../src/cli/expose/request-streams.js';

const call = (id: string | number, progressToken?: string | number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'x', ...(progressToken === undefined ? {} : { _meta: { progressToken } }) },
});
const progress = (progressToken: string | number) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: 1 } });
const reply = (id: string | number) => ({ jsonrpc: '2.0', id, result: {} });

describe('RequestStreams', () => {
  it('ties a reply to its request, final, keeping the string "1" and the number 1 apart', () => {
    const streams = new RequestStreams();
    expect(streams.relatedTo(reply(1))).toEqual({ request: 'n:1', final: true });
    expect(streams.relatedTo(reply('1'))).toEqual({ request: 's:1', final: true });
  });

  it('ties progress to the request that gave its token, while that request is open', () => {
    const streams = new RequestStreams();
    streams.fromClient(call('a', 'tok'));
    streams.fromClient(call(7, 7));
    expect(streams.relatedTo(progress('tok'))).toBe('s:a');
    expect(streams.relatedTo(progress(7))).toBe('n:7');
    expect(streams.relatedTo(progress('7'))).toBeUndefined();
    streams.relatedTo(reply('a'));
    expect(streams.relatedTo(progress('tok'))).toBeUndefined();
    expect(streams.relatedTo(progress(7))).toBe('n:7');
  });

  it('forgets a token when its request is cancelled', () => {
    const streams = new RequestStreams();
    streams.fromClient(call(3, 'tok'));
    streams.fromClient({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    expect(streams.relatedTo(progress('tok'))).toBeUndefined();
  });

  it('ties nothing else to a request: log messages, list changes, the child’s own requests', () => {
    const streams = new RequestStreams();
    streams.fromClient(call(1, 'tok'));
    expect(streams.relatedTo({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } })).toBeUndefined();
    expect(streams.relatedTo({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })).toBeUndefined();
    expect(streams.relatedTo({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: {} })).toBeUndefined();
  });
});
