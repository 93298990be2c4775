/**
 * Wire rules on both hosts (the Observable transport and the plain-ws legacy path): subprotocol
 * `mcp`, one JSON-RPC object per text frame, the error for every kind of bad input, and a
 * connection that stays up through all of it.
 */
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MCPServer } from '../../../src/mcp/index.js';
import { WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll, RawMcpClient, startMcpServer, track } from '../support/mcp-fixtures.js';

afterEach(closeAll);

describe.each([
  { host: 'the transport', useTransport: true },
  { host: 'plain ws (useTransport: false)', useTransport: false },
])('over $host', ({ useTransport }) => {
  const start = (options: Parameters<typeof startMcpServer>[0] = {}): ReturnType<typeof startMcpServer> =>
    startMcpServer({ useTransport, ...options }, (server) => server.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }) => text));

  it('echoes the subprotocol mcp and serves the SDK-style handshake', async () => {
    const { url, server } = await start();
    // The plain path is the same transport with its extras off: no heartbeat, no sessions.
    expect(server.transport.getConnectedClients()).toBe(0);
    const client = await RawMcpClient.connect(url, ['mcp']);
    expect(client.socket.protocol).toBe('mcp');
    expect((await client.initialize())['protocolVersion']).toBe('2025-11-25');
    expect((await client.request('tools/call', { name: 'echo', arguments: { text: 'over the wire' } }))['result']).toEqual({
      content: [{ type: 'text', text: 'over the wire' }],
    });
  });

  it('serves a client that offers no subprotocol, or others besides mcp', async () => {
    const { url } = await start();
    const bare = await RawMcpClient.connect(url, []);
    expect(bare.socket.protocol).toBe('');
    expect((await bare.initialize())['protocolVersion']).toBe('2025-11-25');
    const picky = await RawMcpClient.connect(url, ['graphql-ws', 'mcp']);
    expect(picky.socket.protocol).toBe('mcp');
  });

  it('answers every malformed frame with its error and keeps the connection up', async () => {
    const { url } = await start();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    const cases: [string, unknown][] = [
      ['{not json', { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON message' } }],
      ['', { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON message' } }],
      ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: Message must be a JSON object' } }],
      ['42', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: Message must be a JSON object' } }],
      ['null', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: Message must be a JSON object' } }],
      ['{"jsonrpc":"1.0","id":"a","method":"ping"}', { jsonrpc: '2.0', id: 'a', error: { code: -32600, message: 'Invalid request: "jsonrpc" must be "2.0"' } }],
      ['{"id":"b","method":"ping"}', { jsonrpc: '2.0', id: 'b', error: { code: -32600, message: 'Invalid request: "jsonrpc" must be "2.0"' } }],
      ['{"jsonrpc":"2.0","id":null,"method":"ping"}', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: "id" must not be null' } }],
      ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: "id" must be a string or an integer' } }],
      ['{"jsonrpc":"2.0","id":"c","method":7}', { jsonrpc: '2.0', id: 'c', error: { code: -32600, message: 'Invalid request: "method" must be a string' } }],
      ['{"jsonrpc":"2.0","id":"d","method":"ping","params":[1]}', { jsonrpc: '2.0', id: 'd', error: { code: -32600, message: 'Invalid request: "params" must be an object when present' } }],
      ['{"jsonrpc":"2.0","id":"e"}', { jsonrpc: '2.0', id: 'e', error: { code: -32600, message: 'Invalid request: not a request, notification or response: no "method", "result" or "error"' } }],
      ['{"jsonrpc":"2.0","id":"f","method":"no/such"}', { jsonrpc: '2.0', id: 'f', error: { code: -32601, message: 'Method not found', data: { method: 'no/such' } } }],
      ['{"jsonrpc":"2.0","id":"g","method":"tools/call","params":{"name":5}}', { jsonrpc: '2.0', id: 'g', error: { code: -32602, message: 'Invalid params for tools/call: params.name: expected a string, got 5' } }],
    ];
    for (const [frame, expected] of cases) {
      const before = client.received.length;
      client.sendRaw(frame);
      const reply = await client.next(() => client.received.length > before, `a reply to ${frame}`);
      expect({ frame, reply: reply.json }).toEqual({ frame, reply: expected });
    }
    // Notifications and stray responses get no reply at all; the connection still serves.
    client.sendRaw('{"jsonrpc":"2.0","method":"notifications/whatever","params":{"x":1}}');
    client.sendRaw('{"jsonrpc":"2.0","id":424242,"result":{}}');
    client.sendRaw('{"jsonrpc":"2.0","id":424243,"error":{"code":1,"message":"m"}}');
    const before = client.received.length;
    expect(await client.request('ping', undefined, 'last')).toEqual({ jsonrpc: '2.0', id: 'last', result: {} });
    expect(client.received.length).toBe(before + 1);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 1003 on a binary frame', async () => {
    const { url } = await start();
    const client = await RawMcpClient.connect(url);
    client.sendRaw(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}'), true);
    expect((await client.closed).code).toBe(1003);
    expect(client.received).toEqual([]);
  });

  it('closes with 1009 on a frame over maxMessageSize', async () => {
    const { url } = await start({ maxMessageSize: 1024 });
    const client = await RawMcpClient.connect(url);
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2048) } }));
    expect((await client.closed).code).toBe(1009);
  });

  it('one client breaking the rules does not disturb another', async () => {
    const { url } = await start();
    const rude = await RawMcpClient.connect(url);
    const polite = await RawMcpClient.connect(url);
    await polite.initialize();
    rude.sendRaw('{{{');
    rude.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await rude.closed).code).toBe(1003);
    expect((await polite.request('tools/call', { name: 'echo', arguments: { text: 'still here' } }))['result']).toEqual({ content: [{ type: 'text', text: 'still here' }] });
  });

  it('stop() closes every connection with 1001', async () => {
    const { url, server } = await start();
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    await server.stop();
    expect((await client.closed).code).toBe(1001);
  });
});

describe('its transport', () => {
  it('is a WebSocketServerTransport built from the options it was given, with MCP framing', async () => {
    const server = track(new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false, stopGraceMs: 200, path: '/mcp' }), (s) => s.stop());
    server.registerTool('echo', { input: t.type({ text: t.string }) }, ({ text }) => text);
    await server.start();
    expect(server.transport).toBeInstanceOf(WebSocketServerTransport);
    expect(server.url).toBe(`ws://127.0.0.1:${server.address?.port ?? 0}/mcp`);
    const client = await RawMcpClient.connect(server.url ?? '');
    await client.initialize();
    expect(server.transport.getConnectedClients()).toBe(1);
    expect((await client.request('tools/call', { name: 'echo', arguments: { text: 'shared' } }))['result']).toEqual({ content: [{ type: 'text', text: 'shared' }] });
    client.sendRaw('nope');
    expect((await client.next((frame) => frame.json?.['error'] !== undefined && !('id' in frame.json)))['json']).toMatchObject({ error: { code: -32700 } });
  });

  it('refuses to start again once stopped', async () => {
    const server = new MCPServer({ host: '127.0.0.1', port: 0, heartbeat: false, logger: false });
    await server.start();
    await server.stop();
    await expect(server.start()).rejects.toThrow('stopped');
  });
});
