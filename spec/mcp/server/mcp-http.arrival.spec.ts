/**
 * A Streamable HTTP session refused as it arrives: the server turns it away (maxClients), or closes
 * it from a `connections$` subscriber before the edge holds its handle. Either way the request is
 * answered 503, nothing throws, and the clients already there carry on.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAll, modernMeta, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';
import { post } from '../support/http-requests.js';

afterEach(closeAll);

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } },
};

it('answers an HTTP initialize with 503 when the server is full (maxClients)', async () => {
  const { server } = await startMcpServer({ maxClients: 1 });
  const ws = await RawMcpClient.connect(server.url ?? '');
  await ws.initialize();
  const refused = await post(server.httpUrl ?? '', INITIALIZE);
  expect(refused.status).toBe(503);
});

it('answers 503 to a session or a stateless request the server closes while it arrives, and leaves no ghost behind', async () => {
  const { server } = await startMcpServer();
  const ws = await RawMcpClient.connect(server.url ?? '');
  await ws.initialize();
  // From now on every new peer is closed the moment it is announced.
  server.transport.connections$.subscribe((client) => server.transport.closeClient(client.id, 1013, 'Not now'));
  expect((await post(server.httpUrl ?? '', INITIALIZE)).status).toBe(503);
  const stateless = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: modernMeta() } };
  expect((await post(server.httpUrl ?? '', stateless)).status).toBe(503);
  expect(server.transport.getConnectedClients()).toBe(1);
  expect((await ws.request('ping', {}))['result']).toEqual({});
});
