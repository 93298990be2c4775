import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport as SdkWebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { filter, firstValueFrom, map } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { z } from 'zod';
import {
  mcpTransportOptions,
  serveSdkServer,
  SdkConnectionTransport,
  type SdkServerFactory,
  type ServeSdkServerOptions,
} from '../../../src/mcp/sdk/index.js';
import { SimpleMCPClient } from '../../../src/mcp/client/simple-client.js';
import { CloseCode, NotConnectedError, type ClientInfo, type WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { EXPECT_WITHIN, nextValue, nextValues, RawClient, startServer, within } from '../../support/sockets.js';

/** One SDK server the factory made, with what the test watches on it. */
interface ServedInstance {
  readonly client: ClientInfo;
  readonly server: McpServer;
  /** The adapter the SDK server connected to. */
  adapter?: Transport;
  /** How many times the SDK server saw its transport close. */
  closes: number;
  /** Resolves at the first close. */
  readonly closed: Promise<void>;
  /** Transport errors the SDK server was told about. */
  readonly errors: Error[];
}

/** An SDK McpServer with four tools; each instance records its closes and errors. */
function sdkServerFactory(instances: ServedInstance[]): SdkServerFactory {
  return (client) => {
    const server = new McpServer({ name: 'sdk-over-nexus', version: '1.0.0' });
    server.registerTool(
      'add',
      { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
      ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
    );
    server.registerTool('explode', { description: 'Always fails' }, () => {
      throw new Error('the tool exploded');
    });
    server.registerTool(
      'count',
      { description: 'Counts to steps, reporting progress', inputSchema: { steps: z.number().int() } },
      async ({ steps }, extra) => {
        const progressToken = extra._meta?.progressToken;
        for (let step = 1; step <= steps && progressToken !== undefined; step += 1) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps } });
        }
        return { content: [{ type: 'text', text: `counted to ${steps}` }] };
      },
    );
    server.registerTool('whoami', { description: 'What the handler knows of its caller' }, (extra) => ({
      content: [
        {
          type: 'text',
          text: JSON.stringify({
            sessionId: extra.sessionId,
            tenant: extra.requestInfo?.headers['x-tenant'],
            url: extra.requestInfo?.url?.href,
            authClientId: extra.authInfo?.clientId,
            authScopes: extra.authInfo?.scopes,
          }),
        },
      ],
    }));
    let markClosed!: () => void;
    const instance: ServedInstance = {
      client,
      server,
      closes: 0,
      closed: new Promise((resolve) => (markClosed = resolve)),
      errors: [],
    };
    server.server.onclose = () => {
      instance.closes += 1;
      markClosed();
    };
    server.server.onerror = (error) => instance.errors.push(error);
    instances.push(instance);
    // Wrapped only to keep hold of the adapter the SDK server is given.
    return {
      connect: (transport) => {
        instance.adapter = transport;
        return server.connect(transport);
      },
      close: () => server.close(),
    };
  };
}

async function serve(
  options: ServeSdkServerOptions = {},
): Promise<{ transport: WebSocketServerTransport; url: string; instances: ServedInstance[] }> {
  const { server: transport, url } = await startServer({ ...mcpTransportOptions });
  const instances: ServedInstance[] = [];
  track(serveSdkServer(transport, sdkServerFactory(instances), { onError: failOnError, ...options }), (s) => s.unsubscribe());
  return { transport, url, instances };
}

const failOnError = (error: Error): never => {
  throw error;
};

async function connectSdkClient(url: string, name = 'spec-client'): Promise<Client> {
  const client = track(new Client({ name, version: '1.0.0' }), (c) => c.close());
  await client.connect(new SdkWebSocketClientTransport(new URL(url)));
  return client;
}

/** The text of a tool result, from either client. */
function textOf(result: object): string {
  const content = 'content' in result && Array.isArray(result.content) ? (result.content as { text?: string }[]) : [];
  return content.map((part) => part.text ?? '').join('');
}

/** The SDK client opens sockets through the global WebSocket, which Node 20 lacks. */
const globals = globalThis as { WebSocket?: unknown };
const originalWebSocket = globals.WebSocket;

/** A global WebSocket that adds headers to its upgrade request, as a Node client may. */
function useWebSocketWithHeaders(headers: Record<string, string>): void {
  globals.WebSocket = class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions) {
      super(address, protocols, { ...options, headers });
    }
  };
}

beforeAll(() => {
  globals.WebSocket = WebSocket;
});

afterEach(async () => {
  globals.WebSocket = WebSocket;
  await closeAll();
});

afterAll(() => {
  globals.WebSocket = originalWebSocket;
});

describe('serveSdkServer with the SDK client', () => {
  it('serves an SDK McpServer: handshake, tools/list, tools/call and isError results', async () => {
    const { url } = await serve();
    const client = await connectSdkClient(url);

    expect(client.getServerVersion()).toEqual({ name: 'sdk-over-nexus', version: '1.0.0' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['add', 'explode', 'count', 'whoami']);
    expect(tools[0]?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });

    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(sum.isError).not.toBe(true);
    expect(textOf(sum)).toBe('42');

    const exploded = await client.callTool({ name: 'explode', arguments: {} });
    expect(exploded.isError).toBe(true);
    expect(textOf(exploded)).toContain('the tool exploded');

    const invalid = await client.callTool({ name: 'add', arguments: { a: 'two', b: 40 } });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/invalid/i);
  });

  it('gives each client its own SDK server instance, with the client id as session id', async () => {
    const { transport, url, instances } = await serve();
    const first = await connectSdkClient(url, 'first');
    const second = await connectSdkClient(url, 'second');

    expect(instances).toHaveLength(2);
    expect(instances[0]?.server).not.toBe(instances[1]?.server);
    const ids = transport.getClients().map((client) => client.id);
    expect(instances.map((instance) => instance.client.id).sort()).toEqual([...ids].sort());

    const [firstSum, secondWho, firstWho] = await Promise.all([
      first.callTool({ name: 'add', arguments: { a: 1, b: 1 } }),
      second.callTool({ name: 'whoami', arguments: {} }),
      first.callTool({ name: 'whoami', arguments: {} }),
    ]);
    expect(textOf(firstSum)).toBe('2');
    const firstSession = (JSON.parse(textOf(firstWho)) as { sessionId: string }).sessionId;
    const secondSession = (JSON.parse(textOf(secondWho)) as { sessionId: string }).sessionId;
    expect(firstSession).not.toBe(secondSession);
    expect([firstSession, secondSession].sort()).toEqual([...ids].sort());
  });

  it('hands the upgrade request headers, URL and auth info to tool handlers', async () => {
    const { url } = await serve({
      authInfo: (client) => {
        const header = client.request.headers.authorization;
        return header?.startsWith('Bearer ') === true
          ? { token: header.slice('Bearer '.length), clientId: 'tenant-app', scopes: ['tools:call'] }
          : undefined;
      },
    });
    useWebSocketWithHeaders({ 'x-tenant': 'acme', authorization: 'Bearer s3cret' });
    const client = await connectSdkClient(`${url}/mcp?workspace=7`);

    const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as Record<string, unknown>;
    expect(who['tenant']).toBe('acme');
    expect(who['url']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mcp\?workspace=7$/);
    expect(who['authClientId']).toBe('tenant-app');
    expect(who['authScopes']).toEqual(['tools:call']);
  });

  it('closes the SDK server of a client that disconnects, with exactly one onclose', async () => {
    const { transport, url, instances } = await serve();
    const leaving = await connectSdkClient(url, 'leaving');
    const staying = await connectSdkClient(url, 'staying');
    const [leaver, stayer] = instances;
    if (!leaver || !stayer) throw new Error('two SDK servers expected');

    await leaving.close();
    await leaver.closed;
    // A later close() from the SDK side adds no second onclose.
    await leaver.server.close();
    expect(leaver.closes).toBe(1);
    await expect(leaver.adapter?.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })).rejects.toBeInstanceOf(
      NotConnectedError,
    );

    expect(transport.getConnectedClients()).toBe(1);
    expect(stayer.closes).toBe(0);
    expect(textOf(await staying.callTool({ name: 'add', arguments: { a: 3, b: 4 } }))).toBe('7');
  });

  it('closing the SDK server closes its client socket, with exactly one onclose', async () => {
    const { url, instances } = await serve();
    const raw = await RawClient.open(url, 'mcp');
    const served = instances[0];
    if (!served) throw new Error('an SDK server expected');

    await served.server.close();
    expect(await raw.closed).toMatchObject({ code: 1000 });
    expect(served.closes).toBe(1);
  });

  it('stops serving when unsubscribed: SDK servers closed, sockets closed, new clients not served', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const instances: ServedInstance[] = [];
    const serving = serveSdkServer(transport, sdkServerFactory(instances), { onError: failOnError });
    const raw = await RawClient.open(url, 'mcp');
    expect(instances).toHaveLength(1);

    serving.unsubscribe();
    expect(await raw.closed).toMatchObject({ code: 1000 });
    await instances[0]?.closed;
    expect(instances[0]?.closes).toBe(1);

    await nextValue(transport.clientCount$, (count) => count === 0, 'the client to leave');
    await RawClient.open(url, 'mcp');
    expect(await transport.waitForClients(1, EXPECT_WITHIN)).toBe(true);
    expect(instances).toHaveLength(1);
  });
});

describe('serveSdkServer with SimpleMCPClient', () => {
  function simpleClient(url: string, headers: Record<string, string> = {}): SimpleMCPClient {
    return track(
      new SimpleMCPClient({
        url,
        clientInfo: { name: 'simple-spec', version: '1.0.0' },
        transport: { headers, heartbeat: false, reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 5 } },
      }),
      (client) => client.disconnect(),
    );
  }

  it('serves an SDK McpServer: handshake, tools, isError results, progress and upgrade headers', async () => {
    const { url } = await serve();
    const client = simpleClient(url, { 'x-tenant': 'globex' });

    const initialized = await client.connect();
    expect(initialized.serverInfo).toMatchObject({ name: 'sdk-over-nexus', version: '1.0.0' });
    expect((await client.listTools()).map((tool) => tool.name)).toEqual(['add', 'explode', 'count', 'whoami']);

    expect(textOf(await client.callTool('add', { a: 20, b: 3 }))).toBe('23');
    const exploded = await client.callTool('explode');
    expect(exploded.isError).toBe(true);
    expect(textOf(exploded)).toContain('the tool exploded');
    expect((await client.callTool('add', { a: 'x', b: 1 })).isError).toBe(true);

    const progress: unknown[] = [];
    const counted = await client.callTool('count', { steps: 3 }, { onProgress: (p) => progress.push(p) });
    expect(textOf(counted)).toBe('counted to 3');
    expect(progress).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);

    const who = JSON.parse(textOf(await client.callTool('whoami'))) as Record<string, unknown>;
    expect(who['tenant']).toBe('globex');
  });

  it('after a dropped connection, the client re-initializes with a fresh SDK server; the old one is closed', async () => {
    const { transport, url, instances } = await serve();
    const client = simpleClient(url);
    await client.connect();
    const [first] = instances;
    if (!first) throw new Error('an SDK server expected');

    const reconnecting = nextValue(client.state$, (state) => state === 'reconnecting', 'the client to notice the drop');
    transport.closeClient(first.client.id, CloseCode.ServiceRestart, 'restarting');
    await reconnecting;
    await first.closed;

    expect(textOf(await client.callTool('add', { a: 1, b: 1 }))).toBe('2');
    expect(instances).toHaveLength(2);
    expect(instances[1]?.client.id).not.toBe(first.client.id);
    expect(first.closes).toBe(1);
  });

  it('disconnecting closes that client\'s SDK server, with exactly one onclose', async () => {
    const { url, instances } = await serve();
    const client = simpleClient(url);
    await client.connect();

    await client.disconnect();
    await instances[0]?.closed;
    expect(instances[0]?.closes).toBe(1);
  });
});

describe('SdkConnectionTransport on the wire', () => {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
  };

  it('keeps messages that arrive before the SDK server connects (an async factory)', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const instances: ServedInstance[] = [];
    const makeServer = sdkServerFactory(instances);
    // The server is made only once the client's first message is in: it must wait for start().
    track(
      serveSdkServer(
        transport,
        async (client) => {
          await firstValueFrom(transport.messages$.pipe(within('the first message')));
          return makeServer(client);
        },
        { onError: failOnError },
      ),
      (s) => s.unsubscribe(),
    );
    const client = await connectSdkClient(url);
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 5, b: 5 } }))).toBe('10');
  });

  it('answers malformed JSON-RPC with -32600 or -32700 and keeps the connection', async () => {
    const { url, instances } = await serve();
    const raw = await RawClient.open(url, 'mcp');

    raw.socket.send('{ not json');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) as string } });

    raw.sendJson({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: [] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32600, message: expect.stringMatching(/params/) as string } });

    raw.sendJson({ ...initialize, extra: true });
    expect(await raw.next()).toMatchObject({ id: 1, error: { code: -32600, message: expect.stringMatching(/extra/) as string } });

    raw.sendJson({ jsonrpc: '2.0', id: null, method: 'ping' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', error: { code: -32600, message: expect.stringMatching(/null/) as string } });

    raw.sendJson(initialize);
    expect(await raw.next()).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'sdk-over-nexus' } } });
    expect(instances[0]?.errors.map((error) => error.message)).toHaveLength(3);
  });

  it('with mcpTransportOptions, echoes the mcp subprotocol and closes 1003 on a binary frame', async () => {
    const { url, instances } = await serve();
    const raw = await RawClient.open(url, 'mcp');
    expect(raw.socket.protocol).toBe('mcp');

    raw.socket.send(Buffer.from(JSON.stringify(initialize)), { binary: true });
    expect(await raw.closed).toMatchObject({ code: 1003 });
    await instances[0]?.closed;
    expect(instances[0]?.closes).toBe(1);
  });

  it('closes a client whose SDK server cannot be made with 1011, reports it, and serves the others', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const instances: ServedInstance[] = [];
    const makeServer = sdkServerFactory(instances);
    const reported: { error: Error; client: ClientInfo }[] = [];
    let made = 0;
    track(
      serveSdkServer(
        transport,
        (client) => {
          made += 1;
          if (made === 1) throw new Error('no licence for this tenant');
          return makeServer(client);
        },
        { onError: (error, client) => reported.push({ error, client }) },
      ),
      (s) => s.unsubscribe(),
    );
    const refused = await RawClient.open(url, 'mcp');
    expect(await refused.closed).toMatchObject({ code: 1011 });
    expect(reported.map(({ error }) => error.message)).toEqual(['no licence for this tenant']);

    const client = await connectSdkClient(url);
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }))).toBe('3');
  });

  it('refuses a factory that hands out one shared SDK server, without closing its first client', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const instances: ServedInstance[] = [];
    const shared = sdkServerFactory(instances)({ id: 'shared' } as ClientInfo);
    const reported: Error[] = [];
    track(
      serveSdkServer(transport, () => shared, { onError: (error) => reported.push(error) }),
      (s) => s.unsubscribe(),
    );
    const first = await connectSdkClient(url, 'first');
    const second = await RawClient.open(url, 'mcp');

    expect(await second.closed).toMatchObject({ code: 1011 });
    expect(reported[0]?.message).toMatch(/Already connected/);
    expect(textOf(await first.callTool({ name: 'add', arguments: { a: 20, b: 22 } }))).toBe('42');
  });

  it('is usable on its own for one connection, and buffers until start()', async () => {
    const { server: transport, url } = await startServer({ ...mcpTransportOptions });
    const connected = firstValueFrom(transport.connections$.pipe(within('a connection')));
    const raw = await RawClient.open(url, 'mcp');
    const connection = await connected;
    const adapter = new SdkConnectionTransport(
      connection,
      transport.messages$.pipe(
        filter((m) => m.client === connection),
        map((m) => m.message),
      ),
    );
    const received: unknown[] = [];
    adapter.onmessage = (message) => received.push(message);
    const early = [
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'p-1', method: 'ping' },
    ];
    const arrived = nextValues(transport.messages$, 2, 'the early messages');
    for (const message of early) raw.sendJson(message);
    await arrived;
    expect(received).toEqual([]);

    await adapter.start();
    expect(received).toEqual(early);
    expect(adapter.sessionId).toBe(connection.id);

    let closes = 0;
    adapter.onclose = () => (closes += 1);
    await adapter.close();
    await adapter.close();
    expect(await raw.closed).toMatchObject({ code: 1000 });
    expect(closes).toBe(1);
    await expect(adapter.start()).rejects.toThrow(/already started/);
  });
});

describe('the adapter module', () => {
  it('loads without the SDK: it imports only SDK types', async () => {
    const blockSdk =
      'export async function resolve(specifier, context, next) {' +
      ' if (specifier.startsWith("@modelcontextprotocol/")) throw new Error("SDK loaded at runtime: " + specifier);' +
      ' return next(specifier, context); }';
    const script = [
      "import { register } from 'node:module';",
      `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(blockSdk)}));`,
      "const adapter = await import('./src/mcp/sdk/index.js');",
      'console.log(Object.keys(adapter).sort().join(","));',
    ].join('\n');
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
    });
    expect(stdout.trim()).toBe('SdkClientTransport,SdkConnectionTransport,mcpTransportOptions,serveSdkServer');
  });
});
