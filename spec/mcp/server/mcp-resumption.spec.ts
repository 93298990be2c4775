/**
 * MCP sessions across a short disconnect, over real sockets: SimpleMCPClient asks the transport for
 * a resumable session, so a dropped connection that comes back within the window keeps its MCP
 * session (calls in flight, log level, subscriptions); past the window the client starts afresh.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport as SdkWebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import * as t from 'io-ts';
import { firstValueFrom, fromEvent, race, Subject, type Observable } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ConnectionClosedError,
  RequestTimeoutError,
  SimpleMCPClient,
  type HandlerContext,
  type MCPServer,
  type SessionEvent,
  type SimpleMCPClientOptions,
} from '../../../src/mcp/index.js';
import type { WebSocketServerTransport } from '../../../src/transport/index.js';
import { nextValue, nextValues } from '../../support/sockets.js';
import { closeAll, startMcpServer, track } from '../support/mcp-fixtures.js';

beforeAll(() => {
  // Node 20 has no global WebSocket; the SDK transport needs one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});
afterEach(closeAll);

/** A tool that runs until the test lets it finish; `stubborn` ones ignore their signal too. */
class GatedTool {
  private readonly startedSubject = new Subject<HandlerContext>();
  private readonly release$ = new Subject<void>();
  /** Each call as it starts (hot: subscribe before calling). */
  readonly started$: Observable<HandlerContext> = this.startedSubject.asObservable();

  constructor(server: MCPServer, name = 'gated', { stubborn = false } = {}) {
    server.registerTool(name, { input: t.type({ label: t.string }) }, async ({ label }, ctx) => {
      this.startedSubject.next(ctx);
      await firstValueFrom(stubborn ? this.release$ : race(this.release$, fromEvent(ctx.signal, 'abort')));
      if (!stubborn && ctx.signal.aborted) throw ctx.signal.reason as Error;
      return `finished ${label}`;
    });
  }

  /** Lets every running call finish. */
  release(): void {
    this.release$.next();
  }
}

function setup(server: MCPServer): GatedTool {
  server.registerTool('add', { input: t.type({ a: t.number, b: t.number }) }, ({ a, b }) => String(a + b));
  server.registerTool('log', { input: t.type({}) }, (_args, ctx) => {
    ctx.log('info', 'below the threshold');
    ctx.log('error', 'above the threshold');
    return 'logged';
  });
  server.registerResource('memo://m', { name: 'm' }, () => 'memo');
  return new GatedTool(server);
}

async function serve(options: Parameters<typeof startMcpServer>[0] = {}): Promise<{ server: MCPServer; url: string; port: number; gate: GatedTool }> {
  let gate: GatedTool | undefined;
  const started = await startMcpServer(options, (server) => {
    gate = setup(server);
  });
  if (!gate) throw new Error('setup runs before start');
  return { ...started, gate };
}

const fastReconnect = { heartbeat: false, reconnect: { initialDelay: 10, maxDelay: 50, maxRetries: 20 } } as const;

async function connectClient(url: string, options: SimpleMCPClientOptions = {}): Promise<SimpleMCPClient> {
  const client = track(
    new SimpleMCPClient({ url, clientInfo: { name: 'resuming-client', version: '1.0.0' }, transport: fastReconnect, ...options }),
    (c) => c.disconnect(),
  );
  await client.connect();
  return client;
}

function transportOf(server: MCPServer): WebSocketServerTransport {
  return server.transport;
}

/** Drops the (only) client's connection from the server side without a close frame: 1006 on both ends. */
function dropConnection(server: MCPServer): string {
  const [connection] = transportOf(server).getClients();
  if (!connection) throw new Error('no client connected');
  connection.terminate();
  return connection.id;
}

/** Every `sessions$` event from now on. */
function recordSessions(server: MCPServer): SessionEvent[] {
  const events: SessionEvent[] = [];
  server.sessions$.subscribe((event) => events.push(event));
  return events;
}

const text = (value: string): { content: { type: 'text'; text: string }[] } => ({ content: [{ type: 'text', text: value }] });

describe('MCP session resumption (SimpleMCPClient)', () => {
  it('a tool call in flight when the connection drops completes with its result after the client resumes', async () => {
    const { server, url, gate } = await serve();
    const client = await connectClient(url);
    const sessions = recordSessions(server);
    const resumed = nextValue(transportOf(server).resumptions$);
    const started = nextValue(gate.started$);
    const call = client.callTool('gated', { label: 'A' });
    await started;
    const away = nextValue(client.state$, (state) => state === 'reconnecting');
    const clientId = dropConnection(server);
    await away;
    gate.release(); // finishes while its client is away: the reply waits in the replay log

    expect(await call).toEqual(text('finished A'));
    expect(await resumed).toEqual({ clientId, replayed: 1 });
    expect(sessions).toEqual([]); // neither closed nor initialized again
    expect(server.sessionIds()).toEqual([clientId]);
    expect(client.state).toBe('ready');
    expect(await client.callTool('add', { a: 1, b: 2 })).toEqual(text('3'));
  });

  it('keeps the negotiated state: log level, resource subscriptions, list_changed entitlement', async () => {
    const { server, url } = await serve();
    const client = await connectClient(url);
    await client.setLogLevel('warning');
    await client.subscribeResource('memo://m');
    const sessions = recordSessions(server);
    const resumed = nextValue(transportOf(server).resumptions$);
    const updated = nextValue(client.notificationsOf('notifications/resources/updated'));
    const away = nextValue(client.state$, (state) => state === 'reconnecting');
    const clientId = dropConnection(server);
    await away;
    server.notifyResourceUpdated('memo://m'); // sent while the client is away

    expect((await updated).params).toEqual({ uri: 'memo://m' });
    expect(await resumed).toEqual({ clientId, replayed: 1 });

    const levels: unknown[] = [];
    client.notificationsOf('notifications/message').subscribe((notification) => levels.push(notification.params?.['level']));
    expect(await client.callTool('log')).toEqual(text('logged'));
    expect(levels).toEqual(['error']); // the threshold set before the drop still holds

    const changed = nextValue(client.notificationsOf('notifications/tools/list_changed'));
    server.registerTool('fresh', { input: t.type({}) }, () => 'fresh');
    expect((await changed).method).toBe('notifications/tools/list_changed');
    expect(sessions).toEqual([]);
  });

  it('past the window: a fresh session, the in-flight call fails saying the session expired, the client re-initializes', async () => {
    const { server, url, gate } = await serve({ resume: { windowMs: 100 } });
    // The client comes back ~600 ms after the drop: well past the 100 ms window.
    const client = await connectClient(url, {
      transport: { heartbeat: false, reconnect: { initialDelay: 600, maxDelay: 600, maxRetries: 3 }, random: () => 0.99 },
    });
    const events = nextValues(server.sessions$, 2);
    const started = nextValue(gate.started$);
    const call = client.callTool('gated', { label: 'lost' }).catch((error: unknown) => error);
    const ctx = await started;
    const firstId = dropConnection(server);

    const [closed, reopened] = await events;
    expect(closed).toMatchObject({ type: 'closed', sessionId: firstId, close: { code: 1006 } });
    expect(ctx.signal.aborted).toBe(true); // the server gave the session up, and its handlers with it
    const error = await call;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain('session expired');
    expect(reopened).toMatchObject({ type: 'opened', clientInfo: { name: 'resuming-client', version: '1.0.0' } });
    expect(reopened?.sessionId).not.toBe(firstId);
    expect(await client.callTool('add', { a: 2, b: 3 })).toEqual(text('5'));
    expect(client.state).toBe('ready');
  });

  it('a reply that arrives for a call that already failed is ignored, and the session carries on', async () => {
    const { server, url, gate } = await serve();
    // Comes back ~400 ms after the drop; the call times out after 100 ms, while the client is away.
    const client = await connectClient(url, {
      transport: { heartbeat: false, reconnect: { initialDelay: 400, maxDelay: 400, maxRetries: 3 }, random: () => 0.99 },
    });
    const problems: Error[] = [];
    client.errors$.subscribe((error) => problems.push(error));
    const resumed = nextValue(transportOf(server).resumptions$);
    const finished = nextValue(server.toolCalls$);
    const started = nextValue(gate.started$);
    const call = client.callTool('gated', { label: 'late' }, { timeoutMs: 100 }).catch((error: unknown) => error);
    await started;
    const away = nextValue(client.state$, (state) => state === 'reconnecting');
    dropConnection(server);
    await away;
    gate.release();

    expect(await finished).toMatchObject({ name: 'gated', outcome: 'ok' }); // its reply is in the replay log
    expect(await call).toBeInstanceOf(RequestTimeoutError);
    expect(await resumed).toMatchObject({ replayed: 1 }); // the late reply, delivered and dropped
    expect(await client.callTool('add', { a: 20, b: 22 })).toEqual(text('42'));
    expect(problems).toEqual([]);
  });

  it('comes back to a server that offers no sessions: calls that waited fail, the client starts afresh', async () => {
    const first = await startMcpServer({ name: 'first' }, (server) => setup(server));
    const stubborn = new GatedTool(first.server, 'stubborn', { stubborn: true });
    const client = await connectClient(first.url, { transport: { heartbeat: false, reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 50 } } });
    const started = nextValue(stubborn.started$);
    // Never answered: the tool ignores the stop, and the session does not survive it.
    const call = client.callTool('stubborn', { label: 'x' }).catch((error: unknown) => error);
    await started;
    await first.server.stop();

    const second = await startMcpServer({ name: 'second', port: first.port, resume: false }, (server) => setup(server));
    const error = await call;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain('did not resume the session');
    await nextValue(client.state$, (state) => state === 'ready');
    expect(client.serverInfo?.name).toBe('second');
    expect(await client.callTool('add', { a: 1, b: 1 })).toEqual(text('2'));
    expect(second.server.sessionIds()).toHaveLength(1);
    stubborn.release();
  });

  it('a server without resumption: a drop fails in-flight calls at once and the client re-initializes (as before)', async () => {
    const { server, url, gate } = await serve({ resume: false });
    const client = await connectClient(url);
    const events = nextValues(server.sessions$, 2);
    const started = nextValue(gate.started$);
    const call = client.callTool('gated', { label: 'x' }).catch((error: unknown) => error);
    await started;
    dropConnection(server);
    const error = await call;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain('may or may not have run');
    const [closed, reopened] = await events;
    expect(closed).toMatchObject({ type: 'closed', close: { code: 1006 } });
    expect(reopened).toMatchObject({ type: 'opened' });
    expect(await client.callTool('add', { a: 3, b: 4 })).toEqual(text('7'));
  });

  it('the official SDK client asks for no session and is served as before: a drop ends its session at once', async () => {
    const { server, url } = await serve({ resume: { windowMs: 60_000 } });
    const sdk = track(new Client({ name: 'sdk-client', version: '1.0.0' }), (c) => c.close());
    await sdk.connect(new SdkWebSocketClientTransport(new URL(url)));
    const [connection] = transportOf(server).getClients();
    expect((connection as { session?: unknown } | undefined)?.session).toBeUndefined();
    expect(await sdk.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).toEqual(text('3'));

    const closed = nextValue(server.sessions$, (event) => event.type === 'closed');
    connection?.terminate();
    // Not held for the 60 s window: a client that asked for no session has nothing to resume.
    expect(await closed).toMatchObject({ type: 'closed', close: { code: 1006 } });
    expect(server.sessionIds()).toEqual([]);
  });
});
