/** Request correlation by id, with timeouts in virtual time. */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, McpError, RequestTimeoutError } from '../../src/mcp/index.js';
import { RequestCorrelator } from '../../src/mcp/request-correlator.js';
import type { JsonObject } from '../../src/protocol/index.js';

/** A correlator (real time), and a list to record what it sends. */
function recording(): { correlator: RequestCorrelator; sent: { id: number; method: string; params: JsonObject | undefined }[] } {
  return { correlator: new RequestCorrelator(), sent: [] };
}

describe('RequestCorrelator', () => {
  it('matches replies to requests by id, whatever their order', async () => {
    const { correlator, sent } = recording();
    const send = (id: number, method: string, params: JsonObject | undefined): void => void sent.push({ id, method, params });
    const first = correlator.request({ method: 'a', timeoutMs: 1000, send, params: (id) => ({ token: id }) });
    const second = correlator.request({ method: 'b', timeoutMs: 1000, send });
    expect(sent).toEqual([
      { id: 1, method: 'a', params: { token: 1 } },
      { id: 2, method: 'b', params: undefined },
    ]);
    expect(correlator.accept({ jsonrpc: '2.0', id: 2, result: { which: 'second' } })).toBe(true);
    expect(correlator.accept({ jsonrpc: '2.0', id: '1', result: {} })).toBe(false); // "1" is not 1
    expect(correlator.accept({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad', data: { x: 1 } } })).toBe(true);
    expect(await second).toEqual({ which: 'second' });
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: -32602, message: 'bad', data: { x: 1 } });
    expect(correlator.size).toBe(0);
    expect(correlator.accept({ jsonrpc: '2.0', id: 2, result: {} })).toBe(false); // answered already
  });

  it('times out in virtual time and says so to the peer', async () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const correlator = new RequestCorrelator(scheduler);
    const abandoned: string[] = [];
    let pending: Promise<JsonObject> | undefined;
    let settledAt = -1;
    scheduler.run(({ flush }) => {
      pending = correlator.request({ method: 'slow', timeoutMs: 250, send: () => undefined, onAbandoned: (id, reason) => abandoned.push(`${id}: ${reason}`) });
      pending.catch(() => (settledAt = scheduler.now()));
      flush();
    });
    const error = await pending?.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(abandoned).toEqual(['1: Request timed out after 250 ms']);
    expect(settledAt).toBe(250);
  });

  it('rejects with the abort reason, tells the peer, and never sends an already-aborted request', async () => {
    const { correlator } = recording();
    const sent: number[] = [];
    const abandoned: string[] = [];
    const controller = new AbortController();
    const pending = correlator.request({ method: 'm', timeoutMs: 1000, signal: controller.signal, send: (id) => void sent.push(id), onAbandoned: (_, reason) => abandoned.push(reason) });
    controller.abort(new Error('stop it'));
    await expect(pending).rejects.toThrow('stop it');
    expect(abandoned).toEqual(['stop it']);
    await expect(correlator.request({ method: 'n', timeoutMs: 1000, signal: controller.signal, send: (id) => void sent.push(id) })).rejects.toThrow('stop it');
    expect(sent).toEqual([1]);
  });

  it('fails every waiting request at once, and a failed send fails its request', async () => {
    const { correlator } = recording();
    const a = correlator.request({ method: 'a', timeoutMs: 1000, send: () => undefined });
    const b = correlator.request({ method: 'b', timeoutMs: 1000, send: () => undefined });
    correlator.failAll(new ConnectionClosedError('gone'));
    await expect(a).rejects.toThrow('gone');
    await expect(b).rejects.toThrow('gone');
    await expect(correlator.request({ method: 'c', timeoutMs: 1000, send: () => Promise.reject(new Error('socket closed')) })).rejects.toThrow('socket closed');
    await expect(
      correlator.request({
        method: 'd',
        timeoutMs: 1000,
        send: () => {
          throw new Error('sync failure');
        },
      }),
    ).rejects.toThrow('sync failure');
  });
});
