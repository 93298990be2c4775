/**
 * A Streamable HTTP session refused as it arrives. The HTTP edge means to answer 503 when the
 * server will not take the peer (`host.arrive()` returns nothing), but the link it builds first
 * reports its own close through a callback that reads `peer` before `arrive()` has returned it: a
 * server that closes the link during arrival (maxClients turning it away with 1013, a
 * `connections$` subscriber calling `closeClient`) throws a ReferenceError instead. Here the throw
 * is caught and becomes a 500; from a `connections$` subscriber it escapes rxjs and ends the process
 * (spec/cli/expose.spec.ts, --max-children over HTTP). Expected to fail until
 * src/transport/edges/http/streamable-http.ts is fixed; flip `it.fails` to `it` then.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAll, RawMcpClient, startMcpServer } from '../support/mcp-fixtures.js';
import { post } from '../support/http-requests.js';

afterEach(closeAll);

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } },
};

it.fails('answers an HTTP initialize with 503 when the server is full (maxClients), as it means to', async () => {
  const { server } = await startMcpServer({ maxClients: 1 });
  const ws = await RawMcpClient.connect(server.url ?? '');
  await ws.initialize();
  const refused = await post(server.httpUrl ?? '', INITIALIZE);
  expect(refused.status).toBe(503);
});
