/**
 * SdkClientTransport across dropped connections, on real sockets: a resumed session hands the SDK
 * Client the replies and progress it missed, exactly once; a session that cannot go on (expired,
 * or a server without sessions) closes the transport, and the SDK fails the calls still waiting.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { firstValueFrom, fromEvent, race, Subject, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectionClosedError, type HandlerContext, type MCPServer, type SessionEvent } from '../../../src/mcp/index.js';
import { mcpTransportOptions, SdkClientTransport, serveSdkServer } from '../../../src/mcp/sdk/index.js';
import { SessionExpiredError, type WebSocketServerTransport } from '../../../src/transport/index.js';
import { closeAll as closeMcpResources, startMcpServer } from '../support/mcp-fixtures.js';
import { BURST_PROGRESS, connectSdkClient, fastReconnect, text, type SdkClientUnderTest } from '../support/sdk-client-fixtures.js';
import { closeAll, track } from '../../support/resources.js';
import { nextValue, startServer } from '../../support/sockets.js';

afterEach(async () => {
  await closeMcpResources();
  await closeAll();
});

/** A tool that runs until the test releases it, then reports progress three times (when asked to) and returns. */
class GatedTool {
  private readonly startedSubject = new Subject<HandlerContext>();
  private readonly release$ = new Subject<void>();
  /** Each call as it starts (hot: subscribe before calling). */
  readonly started$: Observable<HandlerContext> = this.startedSubject.asObservable();
  runs = 0;

  constructor(server: MCPServer, { stubborn = false } = {}) {
    server.registerTool('gated', { input: t.type({ label: t.string }) }, async ({ label }, ctx) => {
      this.runs += 1;
      this.startedSubject.next(ctx);
      await firstValueFrom(stubborn ? this.release$ : race(this.release$, fromEvent(ctx.signal, 'abort')));
      if (!stubborn && ctx.signal.aborted) throw ctx.signal.reason as Error;
      for (const { progress, total, message } of BURST_PROGRESS) ctx.progress(progress, total, message);
      return `finished ${label}`;
    });
    server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  }

  release(): void {
    this.release$.next();
  }
}

async function serve(options: Parameters<typeof startMcpServer>[0] = {}, tool: { stubborn?: boolean } = {}): Promise<{ server: MCPServer; url: string; port: number; gate: GatedTool }> {
  let gate: GatedTool | undefined;
  const started = await startMcpServer(options, (server) => (gate = new GatedTool(server, tool)));
  if (!gate) throw new Error('setup runs before start');
  return { ...started, gate };
}

/** Drops the only client's connection from the server side without a close frame (1006 on both ends). */
function dropConnection(transport: WebSocketServerTransport): void {
  const [connection] = transport.getClients();
  if (!connection) throw new Error('no client connected');
  connection.terminate();
}

/** Drops the connection and resolves once the client side has noticed. */
async function dropAndWait(transport: WebSocketServerTransport, sdk: SdkClientUnderTest): Promise<void> {
  const away = nextValue(sdk.transport.connection.state$, (state) => state === 'reconnecting');
  dropConnection(transport);
  await away;
}

function recordSessions(server: MCPServer): SessionEvent[] {
  const events: SessionEvent[] = [];
  server.sessions$.subscribe((event) => events.push(event));
  return events;
}

/** The SDK's error for a call that lost its connection. */
function expectConnectionClosed(error: unknown): void {
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
}

describe('SdkClientTransport across a resumed drop (MCPServer)', () => {
  it('a call in flight when the socket is terminated completes exactly once, from the replay', async () => {
    const { server, url, gate } = await serve();
    const sdk = await connectSdkClient(url);
    const sessions = recordSessions(server);
    const resumed = nextValue(server.transport.resumptions$);
    const started = nextValue(gate.started$);
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'A' } });
    await started;
    await dropAndWait(server.transport, sdk);
    gate.release(); // finishes while the client is away: the reply waits in the replay log

    expect(await call).toEqual(text('finished A'));
    expect(gate.runs).toBe(1);
    expect(await resumed).toMatchObject({ replayed: 1 }); // the reply (the call asked for no progress)
    expect(sessions).toEqual([]); // the MCP session was neither closed nor initialized again
    expect(await sdk.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).toEqual(text('3'));
    expect(sdk.closes()).toBe(0);
    expect(sdk.clientErrors).toEqual([]); // no duplicate reply, no progress for an unknown token
  });

  it('progress reported while the client was away arrives with the replay, before the result', async () => {
    const { server, url, gate } = await serve();
    // Comes back ~300 ms after the drop, so the tool surely reports and returns while it is away.
    const sdk = await connectSdkClient(url, { heartbeat: false, reconnect: { initialDelay: 300, maxDelay: 300, maxRetries: 5 }, random: () => 0.99 });
    const resumed = nextValue(server.transport.resumptions$);
    const finished = nextValue(server.toolCalls$);
    const started = nextValue(gate.started$);
    const updates: Progress[] = [];
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'B' } }, undefined, { onprogress: (progress) => updates.push(progress) });
    await started;
    await dropAndWait(server.transport, sdk);
    gate.release();
    await finished;

    expect(await call).toEqual(text('finished B'));
    expect(await resumed).toMatchObject({ replayed: 4 });
    expect(updates).toEqual(BURST_PROGRESS);
    expect(sdk.clientErrors).toEqual([]);
  });
});

describe('SdkClientTransport when the session cannot go on', () => {
  it('past the window: calls in flight fail, onerror says the session expired, onclose fires once; a new transport carries on', async () => {
    const { server, url, gate } = await serve({ resume: { windowMs: 100 } });
    // The client comes back ~600 ms after the drop: well past the 100 ms window.
    const sdk = await connectSdkClient(url, { heartbeat: false, reconnect: { initialDelay: 600, maxDelay: 600, maxRetries: 3 }, random: () => 0.99 });
    // The recipe of docs/interop.md: on close, connect the same Client to a new transport (once
    // here, so that closing it after the test stays closed).
    let reconnectOnClose = true;
    const reconnected = new Promise<void>((resolve, reject) => {
      sdk.client.onclose = () => {
        if (!reconnectOnClose) return;
        reconnectOnClose = false;
        sdk.client.connect(new SdkClientTransport(url, fastReconnect)).then(resolve, reject);
      };
    });
    const reopened = nextValue(server.sessions$, (event) => event.type === 'opened');
    const started = nextValue(gate.started$);
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'lost' } }).catch((error: unknown) => error);
    const ctx = await started;
    await dropAndWait(server.transport, sdk);

    expectConnectionClosed(await call);
    expect(ctx.signal.aborted).toBe(true); // the server gave the session up, and its handler with it
    expect(sdk.errors).toHaveLength(1);
    expect(sdk.errors[0]).toBeInstanceOf(SessionExpiredError);
    expect(sdk.closes()).toBe(1);
    expect(gate.runs).toBe(1);

    await reconnected;
    expect(await reopened).toMatchObject({ clientInfo: { name: 'sdk-over-nexus-client' } }); // initialized afresh
    expect(await sdk.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).toEqual(text('5'));
    expect(sdk.closes()).toBe(1);
  });

  it('a server that offers no sessions: a drop closes the transport at once instead of reconnecting', async () => {
    const { server, url, gate } = await serve({ resume: false });
    const sdk = await connectSdkClient(url);
    const started = nextValue(gate.started$);
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'x' } }).catch((error: unknown) => error);
    await started;
    const gone = nextValue(sdk.transport.connection.state$, (state) => state === 'closed');
    dropConnection(server.transport);

    expectConnectionClosed(await call);
    await gone;
    expect(sdk.errors).toHaveLength(1);
    expect(sdk.errors[0]).toBeInstanceOf(ConnectionClosedError);
    expect(sdk.errors[0]?.message).toMatch(/keeps no session to resume/);
    expect(sdk.closes()).toBe(1);
  });

  it('the server comes back without sessions: the transport finds out at once, fails what waited and closes', async () => {
    const first = await serve({ name: 'first' }, { stubborn: true });
    const sdk = await connectSdkClient(first.url, { heartbeat: false, reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 50 } });
    const started = nextValue(first.gate.started$);
    // Never answered: the tool ignores the stop, and the session does not survive it.
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'x' } }).catch((error: unknown) => error);
    await started;
    await first.server.stop();
    first.gate.release();

    const second = await serve({ name: 'second', port: first.port, resume: false });
    expectConnectionClosed(await call);
    expect(sdk.errors.map((error) => error.message)).toEqual([expect.stringMatching(/did not resume the session/)]);
    expect(sdk.closes()).toBe(1);
    expect(second.gate.runs).toBe(0); // nothing was run again on the new server
  });
});

describe('SdkClientTransport against an SDK McpServer behind serveSdkServer', () => {
  it('a call in flight across a dropped socket completes exactly once, progress included: the SDK server gains resumption', async () => {
    const { server, url } = await startServer({ ...mcpTransportOptions });
    const release$ = new Subject<void>();
    const started$ = new Subject<void>();
    let runs = 0;
    let servers = 0;
    track(
      serveSdkServer(server, () => {
        servers += 1;
        const sdkServer = new McpServer({ name: 'sdk-server', version: '1.0.0' });
        sdkServer.registerTool('gated', { inputSchema: { label: z.string() } }, async ({ label }, extra) => {
          runs += 1;
          started$.next();
          await firstValueFrom(release$);
          const progressToken = extra._meta?.progressToken;
          for (const params of BURST_PROGRESS) {
            if (progressToken !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, ...params } });
          }
          return text(`finished ${label}`);
        });
        return sdkServer;
      }),
      (serving) => serving.unsubscribe(),
    );
    const sdk = await connectSdkClient(url);
    const resumed = nextValue(server.resumptions$);
    const started = nextValue(started$);
    const updates: Progress[] = [];
    const call = sdk.client.callTool({ name: 'gated', arguments: { label: 'C' } }, undefined, { onprogress: (progress) => updates.push(progress) });
    await started;
    await dropAndWait(server, sdk);
    release$.next();

    expect(await call).toEqual(text('finished C'));
    expect(updates).toEqual(BURST_PROGRESS);
    expect(await resumed).toMatchObject({ replayed: 4 });
    expect({ runs, servers }).toEqual({ runs: 1, servers: 1 });
    expect(sdk.clientErrors).toEqual([]);
    expect(sdk.closes()).toBe(0);
  });
});
