/**
 * `maxInFlight` on MCPServer over real sockets: a session with that many requests still running gets
 * -32010 for the next one, other sessions are unaffected, and the slot comes back when a handler ends.
 */
import * as t from 'io-ts';
import { firstValueFrom, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MCPServer } from '../../../src/mcp/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

/** `hold` runs until `release()`; `add` answers at once. `started` counts `hold` calls that began. */
class HeldTools {
  started = 0;
  private readonly release$ = new Subject<void>();

  constructor(server: MCPServer) {
    server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
    server.registerTool('hold', { input: t.type({}) }, async () => {
      this.started += 1;
      await firstValueFrom(this.release$);
      return 'released';
    });
  }

  release(): void {
    this.release$.next();
  }
}

async function serve(maxInFlight: number | false): Promise<{ url: string; tools: HeldTools }> {
  let tools: HeldTools | undefined;
  const { url } = await startMcpServer({ maxInFlight }, (server) => {
    tools = new HeldTools(server);
  });
  if (!tools) throw new Error('setup runs before start');
  return { url, tools };
}

async function initialized(url: string): Promise<RawMcpClient> {
  const client = await RawMcpClient.connect(url);
  await client.initialize();
  return client;
}

function call(client: RawMcpClient, id: number, name: string, args: Record<string, number> = {}): void {
  client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

describe('MCPServer maxInFlight', () => {
  it('refuses the request past the cap with -32010 "overloaded" and admits again once a handler has finished', async () => {
    const { url, tools } = await serve(2);
    const busy = await initialized(url);
    const other = await initialized(url);
    call(busy, 1, 'hold');
    call(busy, 2, 'hold');
    call(busy, 3, 'hold');
    expect(await busy.response(3)).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32010, message: 'Too many requests in progress; retry later', data: { reason: 'overloaded' } },
    });
    expect(tools.started).toBe(2);
    // The cap is per session: another client is served meanwhile.
    expect(await other.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } })).toMatchObject({ result: { content: [{ type: 'text', text: '5' }] } });

    tools.release();
    expect(await busy.response(1)).toMatchObject({ result: { content: [{ type: 'text', text: 'released' }] } });
    expect(await busy.response(2)).toMatchObject({ result: { content: [{ type: 'text', text: 'released' }] } });
    expect(await busy.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }, 4)).toMatchObject({ result: { content: [{ text: '2' }] } });
  });

  it('counts only handlers still running: methods answered synchronously never hold a slot', async () => {
    const { url } = await serve(1);
    const client = await initialized(url);
    for (let id = 1; id <= 20; id += 1) client.send({ jsonrpc: '2.0', id, method: 'tools/list' });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => client.response(index + 1)));
    expect(replies.every((reply) => 'result' in reply)).toBe(true);
  });

  it('false admits any number of requests at once', async () => {
    const { url, tools } = await serve(false);
    const client = await initialized(url);
    for (let id = 1; id <= 100; id += 1) call(client, id, 'hold');
    // A ping sent after them is answered after they were all admitted (one connection, in order).
    await client.request('ping', undefined, 101);
    expect(tools.started).toBe(100);
    tools.release();
    expect(await client.response(100)).toMatchObject({ result: { content: [{ text: 'released' }] } });
  });

  it('rejects a cap that is not a positive integer', async () => {
    await expect(serve(0)).rejects.toThrow(RangeError);
  });
});
