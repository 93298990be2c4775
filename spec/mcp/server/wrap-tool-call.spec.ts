/**
 * The `wrapToolCall` seam of MCPServer, without any tracing library: over a real WebSocket, the
 * wrapper sees each tools/call (name, arguments, `_meta`, ids, revision, signal) and how it ended;
 * what it makes current (an AsyncLocalStorage store) is current in the tool's handler; calling
 * `run` twice runs the tool once; a wrapper that fails answers -32603, never crashes the server.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolCallInfo, ToolCallSettled, ToolCallWrapper } from '../../../src/mcp/index.js';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';

afterEach(closeAll);

async function serve(wrapToolCall: ToolCallWrapper): Promise<{ raw: RawMcpClient; runs: string[] }> {
  const runs: string[] = [];
  const { url } = await startMcpServer({ wrapToolCall }, (server) => {
    server.registerTool('echo', { input: t.type({ text: t.string }) }, async ({ text }) => {
      await new Promise((resolve) => setImmediate(resolve));
      runs.push(text);
      return `${text} (${store.getStore() ?? 'no store'})`;
    });
  });
  const raw = await RawMcpClient.connect(url);
  await raw.initialize();
  return { raw, runs };
}

const store = new AsyncLocalStorage<string>();

describe('MCPServer wrapToolCall', () => {
  it('sees each call and its outcome, and runs the handler inside what it makes current', async () => {
    const seen: { info: ToolCallInfo; settled?: ToolCallSettled; error?: unknown }[] = [];
    const { raw } = await serve(async (info, run) => {
      const entry: (typeof seen)[number] = { info };
      seen.push(entry);
      try {
        entry.settled = await store.run(`wrapped ${info.name}`, run);
        return entry.settled;
      } catch (error) {
        entry.error = error;
        throw error;
      }
    });

    const meta = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const ok = await raw.request('tools/call', { name: 'echo', arguments: { text: 'hi' }, _meta: meta }, 7);
    expect(ok).toMatchObject({ result: { content: [{ type: 'text', text: 'hi (wrapped echo)' }] } });
    const invalid = await raw.request('tools/call', { name: 'echo', arguments: { text: 1 } }, 8);
    expect(invalid).toMatchObject({ result: { isError: true } });
    const unknown = await raw.request('tools/call', { name: 'nope', arguments: {} }, 9);
    expect(unknown).toMatchObject({ error: { code: -32602 } });

    expect(seen.map(({ info }) => ({ ...info, sessionId: typeof info.sessionId, signal: info.signal.aborted }))).toEqual([
      { name: 'echo', arguments: { text: 'hi' }, meta, sessionId: 'string', requestId: 7, protocolVersion: '2025-11-25', signal: false },
      { name: 'echo', arguments: { text: 1 }, meta: undefined, sessionId: 'string', requestId: 8, protocolVersion: '2025-11-25', signal: false },
      { name: 'nope', arguments: {}, meta: undefined, sessionId: 'string', requestId: 9, protocolVersion: '2025-11-25', signal: false },
    ]);
    expect(seen[0]?.settled).toMatchObject({ outcome: 'ok', result: { content: [{ text: 'hi (wrapped echo)' }] } });
    expect(seen[1]?.settled).toMatchObject({ outcome: 'invalid_arguments', result: { isError: true } });
    expect(seen[2]?.error).toMatchObject({ code: -32602 });
  });

  it('runs the tool once when the wrapper calls run twice', async () => {
    const { raw, runs } = await serve(async (_info, run) => {
      const [first, second] = await Promise.all([run(), run()]);
      expect(second).toBe(first);
      return first;
    });
    expect(await raw.request('tools/call', { name: 'echo', arguments: { text: 'once' } })).toMatchObject({ result: { content: [{ text: 'once (no store)' }] } });
    expect(runs).toEqual(['once']);
  });

  it('answers -32603 when the wrapper itself fails, and the connection serves on', async () => {
    let calls = 0;
    const { raw } = await serve((_info, run) => {
      calls += 1;
      if (calls === 1) throw new Error('a broken wrapper');
      return run();
    });
    expect(await raw.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).toMatchObject({ error: { code: -32603 } });
    expect(await raw.request('tools/call', { name: 'echo', arguments: { text: 'y' } })).toMatchObject({ result: { content: [{ text: 'y (no store)' }] } });
  });
});
