/**
 * SdkClientTransport: the official SDK `Client` over our reconnecting WebSocket client, against
 * MCPServer on real sockets — the handshake, tools, progress, closing, and the transport's
 * contract with the SDK (`start` once, exactly one `onclose`, bad messages reported and answered).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SdkClientTransport } from '../../../src/mcp/sdk/index.js';
import { ConnectionFailedError, InvalidFrameError, NotConnectedError } from '../../../src/transport/index.js';
import { closeAll as closeMcpResources, startMcpServer, track } from '../support/mcp-fixtures.js';
import { BURST_PROGRESS, connectSdkClient, registerBurst, text } from '../support/sdk-client-fixtures.js';
import { closeAll, track as trackResource } from '../../support/resources.js';
import { nextValue, RawServer, unusedPort } from '../../support/sockets.js';

afterEach(async () => {
  await closeMcpResources();
  await closeAll();
});

/** Each call of the tool `wait` as it starts; the tool runs until its call is cancelled. */
const waitStarted$ = new Subject<void>();

function setup(server: Parameters<typeof registerBurst>[0]): void {
  server.registerTool('add', { description: 'Adds two numbers', input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('wait', { input: t.type({}) }, (_args, ctx) => {
    waitStarted$.next();
    return new Promise<string>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
  });
  registerBurst(server);
}

describe('the SDK Client over SdkClientTransport, against MCPServer', () => {
  it('initializes, lists tools and calls one, over the mcp subprotocol', async () => {
    const { server, url } = await startMcpServer({ name: 'calc', version: '2.0.0' }, setup);
    const opened = nextValue(server.sessions$, (event) => event.type === 'opened');
    const { client, transport, errors, closes } = await connectSdkClient(url);

    expect(await opened).toMatchObject({ era: 'legacy', clientInfo: { name: 'sdk-over-nexus-client', version: '1.0.0' } });
    expect(client.getServerVersion()).toMatchObject({ name: 'calc', version: '2.0.0' });
    expect(transport.sessionId).toBeUndefined();
    expect(server.transport.getClients().map((connection) => connection.protocol)).toEqual(['mcp']);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'burst', 'wait']);
    expect(tools.find((tool) => tool.name === 'add')?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    expect(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).toEqual(text('3'));
    expect(errors).toEqual([]);
    expect(closes()).toBe(0);
  });

  describe.each([
    ['the server waits for a read receipt before such replies (its default)', {}],
    ['the server does not wait (notificationReceiptMs: false)', { notificationReceiptMs: false as const }],
  ])('progress, when %s', (_how, serverOptions) => {
    it('delivers every progress notification of 100 calls to a tool that returns right after reporting', async () => {
      const { url } = await startMcpServer(serverOptions, setup);
      const { client, errors } = await connectSdkClient(url);
      const perCall: Progress[][] = [];
      for (let call = 0; call < 100; call += 1) {
        const updates: Progress[] = [];
        const result = await client.callTool({ name: 'burst', arguments: {} }, undefined, { onprogress: (progress) => updates.push(progress) });
        expect(result).toEqual(text('done'));
        perCall.push(updates);
      }
      expect(perCall.flat()).toHaveLength(300);
      expect(perCall.filter((updates) => JSON.stringify(updates) !== JSON.stringify(BURST_PROGRESS))).toEqual([]);
      expect(errors).toEqual([]);
    });
  });

  it('close(): the socket closes with 1000, onclose fires exactly once, a call in flight fails, later sends are refused', async () => {
    const { server, url } = await startMcpServer({}, setup);
    const { client, transport, errors, closes } = await connectSdkClient(url);
    let clientCloses = 0;
    client.onclose = () => {
      clientCloses += 1;
    };
    const ended = nextValue(server.sessions$, (event) => event.type === 'closed');
    const started = nextValue(waitStarted$);
    const pending = client.callTool({ name: 'wait', arguments: {} }).catch((error: unknown) => error);
    await started;

    await client.close();
    const error = await pending;
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect(await ended).toMatchObject({ close: { code: 1000 } });
    await transport.close(); // again: nothing more happens
    expect(closes()).toBe(1);
    expect(clientCloses).toBe(1);
    await expect(transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).rejects.toBeInstanceOf(NotConnectedError);
    await expect(transport.start()).rejects.toThrow(/already started/);
    expect(errors).toEqual([]);
  });

  it('a transport closed before it was ever started still fires onclose once', async () => {
    const transport = new SdkClientTransport('ws://127.0.0.1:9');
    let closes = 0;
    transport.onclose = () => {
      closes += 1;
    };
    await transport.close();
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).rejects.toBeInstanceOf(NotConnectedError);
  });

  it('a server that cannot be reached: connect() rejects once reconnecting gives up, with onerror and one onclose', async () => {
    const port = await unusedPort();
    const transport = new SdkClientTransport(`ws://127.0.0.1:${port}`, { heartbeat: false, reconnect: { initialDelay: 5, maxDelay: 10, maxRetries: 2 } });
    const errors: Error[] = [];
    let closes = 0;
    transport.onerror = (error) => errors.push(error);
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => {
        closes += 1;
        resolve();
      };
    });
    const client = track(new Client({ name: 'unreachable', version: '1.0.0' }), (c) => c.close());

    const failure = await client.connect(transport).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    expect((failure as Error).message).toMatch(/Gave up reconnecting after 2 retries/);
    expect(errors).toEqual([failure]);
    await closed;
    await transport.close();
    expect(closes).toBe(1);
  });
});

describe('what the server sends that the SDK would not take', () => {
  it('a frame that is not JSON and a request the SDK would reject are reported; the request gets -32600; the session goes on', async () => {
    const raw = await RawServer.start({ handleProtocols: (offered) => (offered.has('mcp') ? 'mcp' : false) });
    const serverSide = raw.nextConnection();
    const connecting = connectSdkClient(raw.url, { heartbeat: false, reconnect: false, resume: false });
    const peer = await serverSide;
    trackResource(peer, () => peer.socket.terminate());
    const initialize = (await peer.next()) as { id: number; params: { protocolVersion: string } };
    peer.sendJson({
      jsonrpc: '2.0',
      id: initialize.id,
      result: { protocolVersion: initialize.params.protocolVersion, capabilities: {}, serverInfo: { name: 'raw', version: '0' } },
    });
    const { errors } = await connecting;
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });

    peer.socket.send('{not json');
    peer.sendJson({ jsonrpc: '2.0', id: 7, method: 'ping', extra: true });
    peer.sendJson({ jsonrpc: '2.0', id: 8, method: 'ping' });
    expect(await peer.next()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32600 } });
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 8, result: {} }); // answered by the SDK
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(InvalidFrameError);
    expect(errors[1]?.message).toMatch(/Invalid JSON-RPC message from the server: unexpected member "extra"/);
  });
});
