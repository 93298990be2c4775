/**
 * The reply of a request that sent notifications (progress, log) waits until the client has read
 * them: the server pings behind them and replies on the pong. These clients never pong by
 * themselves (`autoPong: false`), so the test decides when the receipt comes.
 */
import * as t from 'io-ts';
import { firstValueFrom, ReplaySubject, skip, take, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer, MCPServerOptions } from '../../../src/mcp/index.js';
import { closeAll, EXPECT_WITHIN, RawMcpClient, startMcpServer, type Frame } from '../support/mcp-fixtures.js';

afterEach(closeAll);

function registerTools(server: MCPServer): void {
  server.registerTool('burst', { input: t.type({}) }, (_args, ctx) => {
    ctx.progress(1, 3);
    ctx.progress(2, 3);
    ctx.log('info', 'halfway');
    ctx.progress(3, 3);
    return 'done';
  });
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('fails_after_progress', { input: t.type({}) }, (_args, ctx) => {
    ctx.progress(1);
    throw new Error('broke after reporting progress');
  });
}

/** A client that records the pings it reads and answers them only when told to. */
async function connect(options: MCPServerOptions = {}): Promise<{ client: RawMcpClient; server: MCPServer; nextPing: () => Promise<Buffer> }> {
  const { url, server } = await startMcpServer({ notificationReceiptMs: 60_000, ...options }, registerTools);
  const client = await RawMcpClient.connect(url, 'mcp', { autoPong: false });
  const pings = new ReplaySubject<Buffer>();
  client.socket.on('ping', (payload: Buffer) => pings.next(payload));
  await client.initialize();
  let read = 0;
  const nextPing = (): Promise<Buffer> =>
    firstValueFrom(
      pings.pipe(
        skip(read++),
        take(1),
        timeout({ first: EXPECT_WITHIN, with: () => Promise.reject(new Error(`no ping within ${EXPECT_WITHIN} ms: the reply did not wait for a read receipt`)) }),
      ),
    );
  return { client, server, nextPing };
}

const call = (id: string, name: string, args: Record<string, unknown> = {}, progressToken?: string): Record<string, unknown> => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: progressToken === undefined ? { name, arguments: args } : { name, arguments: args, _meta: { progressToken } },
});

const indexOf = (frames: readonly Frame[], predicate: (json: Record<string, unknown>) => boolean): number =>
  frames.findIndex((frame) => frame.json !== undefined && predicate(frame.json));

describe.each([
  ['the transport', {}],
  ['the plain ws path', { useTransport: false }],
] as const)('on %s', (_host, hostOptions) => {
  it('a reply after progress waits for the pong; a call without notifications replies at once', async () => {
    const { client, nextPing } = await connect(hostOptions);
    client.send(call('slow-reader', 'burst', {}, 'tok'));
    const payload = await nextPing();
    expect(client.received.filter((frame) => frame.json?.['method'] === 'notifications/progress')).toHaveLength(3);
    expect(client.received.filter((frame) => frame.json?.['method'] === 'notifications/message')).toHaveLength(1);

    // Sent after the burst, answered before it: this reply did not wait, the burst's does.
    expect((await client.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } }, 'quick'))['result']).toEqual({ content: [{ type: 'text', text: '5' }] });
    expect(indexOf(client.received, (json) => json['id'] === 'slow-reader')).toBe(-1);

    client.socket.pong(payload);
    expect((await client.response('slow-reader'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    const reply = indexOf(client.received, (json) => json['id'] === 'slow-reader');
    const lastNotification = client.received.findLastIndex((frame) => frame.json?.['method'] === 'notifications/progress' || frame.json?.['method'] === 'notifications/message');
    expect(lastNotification).toBeLessThan(reply);
  });
});

describe('which replies wait', () => {
  it('none whose request sent nothing: progress without a token and a log below the level send nothing, and ping nothing', async () => {
    const { client } = await connect();
    await client.request('logging/setLevel', { level: 'error' });
    const pinged: Buffer[] = [];
    client.socket.on('ping', (payload: Buffer) => pinged.push(payload));
    expect((await client.request('tools/call', { name: 'burst', arguments: {} }, 'silent'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(client.received.filter((frame) => frame.json?.['method']?.toString().startsWith('notifications/'))).toEqual([]);
    expect(pinged).toEqual([]);
  });

  it('an error reply too: it follows the progress its request sent', async () => {
    const { client, nextPing } = await connect();
    client.send(call('broken', 'fails_after_progress', {}, 'tok'));
    client.socket.pong(await nextPing());
    const response = await client.response('broken');
    expect(response['result']).toMatchObject({ isError: true });
    expect(indexOf(client.received, (json) => json['method'] === 'notifications/progress')).toBeLessThan(indexOf(client.received, (json) => json['id'] === 'broken'));
  });

  it('none with notificationReceiptMs: false', async () => {
    const { client } = await connect({ notificationReceiptMs: false });
    const pinged: Buffer[] = [];
    client.socket.on('ping', (payload: Buffer) => pinged.push(payload));
    expect((await client.request('tools/call', { name: 'burst', arguments: {}, _meta: { progressToken: 1 } }, 'x'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(pinged).toEqual([]);
  });

  it('not forever: a client that never pongs gets its reply after notificationReceiptMs', async () => {
    const { client, nextPing } = await connect({ notificationReceiptMs: 20 });
    client.send(call('unanswered', 'burst', {}, 'tok'));
    await nextPing();
    expect((await client.response('unanswered'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
  });
});

describe('a reply waiting for its receipt', () => {
  it('is not sent once the request is cancelled', async () => {
    const { client, nextPing } = await connect();
    client.send(call('cancel-me', 'burst', {}, 'tok'));
    const payload = await nextPing();
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'cancel-me', reason: 'no longer needed' } });
    client.socket.pong(payload);
    await client.request('ping', undefined, 'after');
    expect(indexOf(client.received, (json) => json['id'] === 'cancel-me')).toBe(-1);
  });

  it('holds its maxInFlight slot until the reply is out: the request is not answered yet', async () => {
    const { client, nextPing } = await connect({ maxInFlight: 1 });
    client.send(call('waiting', 'burst', {}, 'tok'));
    const payload = await nextPing();
    expect(await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }, 'refused')).toMatchObject({
      error: { code: -32010, data: { reason: 'overloaded' } },
    });
    client.socket.pong(payload);
    expect((await client.response('waiting'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect((await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }, 'next'))['result']).toEqual({ content: [{ type: 'text', text: '2' }] });
  });

  it('is drained by stop({ drainMs }): it goes out on the pong, before the 1001', async () => {
    const { client, server, nextPing } = await connect();
    client.send(call('draining', 'burst', {}, 'tok'));
    const payload = await nextPing();
    const stopped = server.stop({ drainMs: 10_000 });
    // Still waiting for the receipt: stopping has not cut it short.
    expect(await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }, 'refused')).toMatchObject({ error: { code: -32010 } });
    client.socket.pong(payload);
    expect((await client.response('draining'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    await stopped;
    expect((await client.closed).code).toBe(1001);
  });

  it('goes out at once when stop() aborts what is in flight, before the 1001', async () => {
    const { client, server, nextPing } = await connect();
    client.send(call('stopping', 'burst', {}, 'tok'));
    await nextPing(); // never answered
    await server.stop();
    expect((await client.response('stopping'))['result']).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect((await client.closed).code).toBe(1001);
  });
});
