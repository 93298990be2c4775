/**
 * `MCPServer.stop({ drainMs })` over real sockets: requests in flight get time to finish and reply
 * before clients see 1001; at the deadline their signals are aborted; clients carry on elsewhere.
 */
import * as t from 'io-ts';
import { firstValueFrom, fromEvent, map, Subject, timer, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerStoppingError, SimpleMCPClient, type HandlerContext, type MCPServer } from '../../../src/mcp/index.js';
import { nextValue } from '../../support/sockets.js';
import { closeAll, RawMcpClient, startMcpServer, track } from '../support/mcp-fixtures.js';

afterEach(closeAll);

/** Tools for stopping under load: `slow` finishes by itself after `ms`; `stubborn` ignores its signal until released. */
class Workload {
  private readonly startedSubject = new Subject<HandlerContext>();
  private readonly release$ = new Subject<void>();
  /** Each slow or stubborn call as it starts (hot: subscribe before calling). */
  readonly started$: Observable<HandlerContext> = this.startedSubject.asObservable();

  constructor(server: MCPServer) {
    server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
    server.registerTool('slow', { input: t.type({ ms: t.number }) }, async ({ ms }, ctx) => {
      this.startedSubject.next(ctx);
      await firstValueFrom(timer(ms));
      return ctx.signal.aborted ? 'finished after its signal was aborted' : 'finished';
    });
    server.registerTool('stubborn', { input: t.type({}) }, async (_args, ctx) => {
      this.startedSubject.next(ctx);
      await firstValueFrom(this.release$);
      return 'too late';
    });
  }

  release(): void {
    this.release$.next();
  }
}

async function serve(options: Parameters<typeof startMcpServer>[0] = {}): Promise<{ server: MCPServer; url: string; port: number; work: Workload }> {
  let work: Workload | undefined;
  const started = await startMcpServer(options, (server) => {
    work = new Workload(server);
  });
  if (!work) throw new Error('setup runs before start');
  return { ...started, work };
}

/** An initialized raw client with a `tools/call` in flight (id `callId`) whose handler has started. */
async function callInFlight(url: string, work: Workload, name: string, args: Record<string, number>, callId: number): Promise<{ raw: RawMcpClient; ctx: HandlerContext }> {
  const raw = await RawMcpClient.connect(url);
  await raw.initialize();
  const started = nextValue(work.started$);
  raw.send({ jsonrpc: '2.0', id: callId, method: 'tools/call', params: { name, arguments: args } });
  return { raw, ctx: await started };
}

function reply(raw: RawMcpClient, id: number): unknown {
  return raw.received.find((frame) => frame.json?.['id'] === id && !('method' in frame.json))?.json;
}

describe('MCPServer.stop({ drainMs })', () => {
  it('lets a slow tool finish within drainMs: its result arrives before the 1001 close', async () => {
    const { server, url, work } = await serve();
    const { raw, ctx } = await callInFlight(url, work, 'slow', { ms: 150 }, 7);
    const stopped = server.stop({ drainMs: 5000 });
    expect(ctx.signal.aborted).toBe(false);
    // While draining, new requests are refused.
    expect(await raw.request('tools/list', undefined, 8)).toMatchObject({ id: 8, error: { code: -32010, message: 'The server is shutting down', data: { reason: 'shutting_down' } } });

    const closed = await raw.closed;
    expect(closed.code).toBe(1001);
    // Every frame is read before the close: the reply was among them.
    expect(reply(raw, 7)).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'finished' }] } });
    await stopped;
    expect(ctx.signal.aborted).toBe(false);
  });

  it('aborts the signal of a tool that ignores the deadline, and clients see 1001', async () => {
    const { server, url, work } = await serve({ stopGraceMs: 200 });
    const { raw, ctx } = await callInFlight(url, work, 'stubborn', {}, 9);
    const aborted = firstValueFrom(fromEvent(ctx.signal, 'abort').pipe(map(() => ctx.signal.reason as unknown)));
    const stopped = server.stop({ drainMs: 100 });
    expect(ctx.signal.aborted).toBe(false); // still draining: the deadline is ahead

    expect(await aborted).toBeInstanceOf(ServerStoppingError);
    expect((await raw.closed).code).toBe(1001);
    await stopped;
    expect(reply(raw, 9)).toBeUndefined(); // it never answered, so nothing was sent for it
    work.release();
  });

  it('without drainMs, stop() aborts handlers without waiting, and sends what they answer before the 1001', async () => {
    const { server, url, work } = await serve();
    const { raw, ctx } = await callInFlight(url, work, 'slow', { ms: 50 }, 11);
    const aborted = firstValueFrom(fromEvent(ctx.signal, 'abort').pipe(map(() => ctx.signal.reason as unknown)));
    const stopped = server.stop();
    expect(await aborted).toBeInstanceOf(ServerStoppingError);
    await stopped;
    expect((await raw.closed).code).toBe(1001);
    expect(reply(raw, 11)).toEqual({ jsonrpc: '2.0', id: 11, result: { content: [{ type: 'text', text: 'finished after its signal was aborted' }] } });
  });

  it('takes its default from the drainMs option', async () => {
    const { server, url, work } = await serve({ drainMs: 5000 });
    const { raw, ctx } = await callInFlight(url, work, 'slow', { ms: 50 }, 12);
    const stopped = server.stop();
    expect(ctx.signal.aborted).toBe(false);
    await stopped;
    expect(reply(raw, 12)).toEqual({ jsonrpc: '2.0', id: 12, result: { content: [{ type: 'text', text: 'finished' }] } });
  });

  it('refuses a negative drainMs', async () => {
    const { server } = await serve();
    await expect(server.stop({ drainMs: -1 })).rejects.toThrow(RangeError);
  });

  it('a SimpleMCPClient gets its result, then reconnects to a second MCPServer on the same port and carries on', async () => {
    const first = await serve({ name: 'first' });
    const client = track(
      new SimpleMCPClient({ url: first.url, transport: { heartbeat: false, reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 50 } } }),
      (c) => c.disconnect(),
    );
    await client.connect();
    const started = nextValue(first.work.started$);
    const call = client.callTool('slow', { ms: 100 });
    await started;
    const reconnecting = nextValue(client.state$, (state) => state === 'reconnecting');
    await first.server.stop({ drainMs: 5000 });
    expect(await call).toEqual({ content: [{ type: 'text', text: 'finished' }] }); // answered before the 1001
    await reconnecting;

    const second = await serve({ name: 'second', port: first.port });
    await nextValue(client.state$, (state) => state === 'ready');
    expect(client.serverInfo?.name).toBe('second');
    expect(await client.callTool('add', { a: 2, b: 2 })).toEqual({ content: [{ type: 'text', text: '4' }] });
    expect(second.server.sessionIds()).toHaveLength(1);
  });
});
