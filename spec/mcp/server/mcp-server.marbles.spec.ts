/**
 * MCPServer in virtual time, through the VirtualEdge: its dispatch is a stage of the transport's
 * pipeline, so the handshake, tool calls, list_changed, cancellation and the heartbeat all run
 * inside TestScheduler.run() without a socket.
 */
import * as t from 'io-ts';
import { filter, map, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MCPServer, type HandlerContext, type MCPServerOptions } from '../../../src/mcp/index.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { VirtualEdge, type VirtualClient } from '../../../src/testing/index.js';
import { testScheduler } from '../../support/marbles.js';

function virtualMcpServer(options: MCPServerOptions = {}) {
  const edge = new VirtualEdge();
  const server = new MCPServer({ heartbeat: false, logger: false, ...options, edge });
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  void server.start();
  return { edge, server };
}

const request = (id: number, method: string, params: JsonObject = {}): JsonObject => ({ jsonrpc: '2.0', id, method, params });

/** A virtual client past the 2025-11-25 handshake. */
function initialized(edge: VirtualEdge): VirtualClient {
  const client = edge.connect();
  client.send(request(0, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'marbles', version: '1' } }));
  client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return client;
}

const ids = map((message: JsonObject) => message['id'] ?? message['method']);

describe('MCPServer in virtual time', () => {
  it('answers the handshake and a tool call at the moment each arrives', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge } = virtualMcpServer();
      const client = edge.connect();
      hot('-i-n-c', {
        i: request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'm', version: '1' } }),
        n: { jsonrpc: '2.0', method: 'notifications/initialized' },
        c: request(2, 'tools/call', { name: 'add', arguments: { a: 1, b: 2 } }),
      }).subscribe((message) => client.send(message));
      expectObservable(client.messages$.pipe(ids)).toBe('-1---2', { 1: 1, 2: 2 });
    });
    const { edge } = virtualMcpServer();
    const client = initialized(edge);
    client.send(request(5, 'tools/call', { name: 'add', arguments: { a: 2, b: 3 } }));
    expect(client.received.at(-1)).toEqual({ jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: '5' }] } });
  });

  it('tells listening sessions about a tool added later, at that moment', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualMcpServer();
      const client = initialized(edge);
      hot('---r').subscribe(() => server.registerTool('later', { input: t.type({}) }, () => 'hi'));
      expectObservable(client.messages$.pipe(filter((m) => m['method'] !== undefined), ids)).toBe('---l', { l: 'notifications/tools/list_changed' });
    });
  });

  it('aborts a tool when its client cancels, and writes nothing for that request', () => {
    let seen: HandlerContext | undefined;
    testScheduler().run(({ hot }) => {
      const { edge, server } = virtualMcpServer();
      server.registerTool('wait', { input: t.type({}) }, (_args, ctx) => {
        seen = ctx;
        return new Promise<string>(() => undefined);
      });
      const client = initialized(edge);
      hot('-c--x', {
        c: request(7, 'tools/call', { name: 'wait', arguments: {} }),
        x: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'changed my mind' } },
      }).subscribe((message) => client.send(message));
      hot('---b').subscribe(() => expect(seen?.signal.aborted).toBe(false));
      hot('-----a').subscribe(() => {
        expect(seen?.signal.aborted).toBe(true);
        expect(client.received.map((m) => m['id'])).toEqual([0]);
      });
    });
  });

  it('refuses a second request past maxInFlight with -32010, with the transport\'s own policy', () => {
    testScheduler().run(() => {
      const { edge, server } = virtualMcpServer({ maxInFlight: 1 });
      server.registerTool('wait', { input: t.type({}) }, () => new Promise<string>(() => undefined));
      const client = initialized(edge);
      client.send(request(1, 'tools/call', { name: 'wait', arguments: {} }));
      client.send(request(2, 'tools/call', { name: 'add', arguments: { a: 1, b: 1 } }));
      expect(client.received.at(-1)).toMatchObject({ id: 2, error: { code: -32010, data: { reason: 'overloaded' } } });
    });
  });

  it('closes a session whose client stops answering pings, after one interval and one timeout', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualMcpServer({ heartbeat: { interval: 20, timeout: 5 } });
      // The heartbeat ticks for as long as the server runs: stop it, or virtual time never ends.
      hot('100ms s').subscribe(() => void server.stop());
      const client = edge.connect({ autoPong: false });
      client.send(request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'm', version: '1' } }));
      expectObservable(server.sessions$.pipe(map((event) => event.type), take(1))).toBe('25ms (c|)', { c: 'closed' });
    });
  });
});
