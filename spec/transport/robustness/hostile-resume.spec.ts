/**
 * Session resumption attacked the way a peer holding someone else's token would: the token of
 * another principal, a token replayed from a log after it was used, the current token of a session
 * that is still connected. Each gets a fresh session of its own and an event on `errors$`; the
 * session it named loses nothing and its live connection is never cut. A dead connection the server
 * has not noticed yet still lets its owner resume.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearerAuth,
  ResumeRefusedError,
  type ClientConnection,
  type ServerTransportOptions,
  type TransportErrorEvent,
  type UpgradeRequest,
} from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { createClient, nextValue, RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

interface SessionFrame {
  readonly type: 'nexus/session';
  readonly session: string;
  readonly resumed: boolean;
  readonly replayed?: number;
  readonly expired?: boolean;
}

/** A peer on a raw socket that asks for a session (`new`) or names one, the way our Node client does: in a header. */
async function peer(url: string, ask: string, headers: Record<string, string> = {}): Promise<{ raw: RawClient; frame: SessionFrame }> {
  const raw = await RawClient.open(url, 'mcp', { headers: { ...headers, 'nexus-session': ask } });
  return { raw, frame: (await raw.next()) as SessionFrame };
}

async function resumableServer(options: ServerTransportOptions = {}) {
  const { server, url } = await startServer({
    messageHandler: (message, client) => ({ type: 'echo', original: message, as: client.authInfo?.clientId ?? null }),
    ...options,
  });
  const errors: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  const join = async (ask: string, headers: Record<string, string> = {}) => {
    const connected = nextValue(server.connections$, () => true, 'a connection');
    const joined = await peer(url, ask, headers);
    return { ...joined, client: await connected };
  };
  /** Drops `client`'s socket the way a network does (no close frame), and waits until the server holds the session for it. */
  const drop = async (raw: RawClient) => {
    raw.socket.terminate();
    await raw.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return { server, url, errors, join, drop };
}

const auth = (who: string) => ({ Authorization: `Bearer ${who}` });
const byName = bearerAuth((token) => ({ clientId: token, scopes: [] }));

describe('a session resumes only for the principal that opened it', () => {
  it("refuses bob with alice's token: a fresh session for him, her replay kept for her", async () => {
    const { server, errors, join, drop } = await resumableServer({ authenticate: byName });
    const alice = await join('new', auth('alice'));
    await server.sendTo(alice.client.id, { secret: 'for alice' });
    expect(await alice.raw.next()).toEqual({ secret: 'for alice' });
    await drop(alice.raw);
    await server.sendTo(alice.client.id, { secret: 'missed by alice' });

    const bob = await join(`${alice.frame.session}:1`, auth('bob'));
    expect(bob.frame).toMatchObject({ resumed: false, expired: true });
    expect(bob.client.id).not.toBe(alice.client.id);
    expect(bob.client.authInfo?.clientId).toBe('bob');
    bob.raw.sendJson({ type: 'who' });
    expect(await bob.raw.next()).toEqual({ type: 'echo', original: { type: 'who' }, as: 'bob' });
    const refused = errors.map((event) => event.error).filter((error) => error instanceof ResumeRefusedError);
    expect(refused.map((error) => error.reason)).toEqual(['principal']);
    expect(errors.find((event) => event.error instanceof ResumeRefusedError)?.clientId).toBe(bob.client.id);

    const back = await peer(server.url ?? '', `${alice.frame.session}:1`, auth('alice'));
    expect(back.frame).toMatchObject({ resumed: true, replayed: 1 });
    expect(await back.raw.next()).toEqual({ secret: 'missed by alice' });
    back.raw.sendJson({ type: 'who' });
    expect(await back.raw.next()).toEqual({ type: 'echo', original: { type: 'who' }, as: 'alice' });
  });

  it('resumes as before when there is no authenticate hook', async () => {
    const { join, drop, server } = await resumableServer();
    const first = await join('new');
    await drop(first.raw);
    await server.sendTo(first.client.id, { n: 1 });
    const again = await peer(server.url ?? '', `${first.frame.session}:0`);
    expect(again.frame).toMatchObject({ resumed: true, replayed: 1 });
    expect(await again.raw.next()).toEqual({ n: 1 });
  });
});

describe('a session token is single-use', () => {
  it('brings a new token with every resume, and a replayed old one gets nothing of the session', async () => {
    const { server, url, errors, join, drop } = await resumableServer();
    const victim = await join('new');
    await drop(victim.raw);
    // The victim's client resumes through the query string (a browser with no other subprotocol),
    // so its URL, token included, lands in some access log.
    const loggedUrl = `${url}/?nexus_session=${victim.frame.session}:0`;
    const resumed = await RawClient.open(loggedUrl, 'mcp');
    const resumedFrame = (await resumed.next()) as SessionFrame;
    expect(resumedFrame).toMatchObject({ resumed: true });
    expect(resumedFrame.session).not.toBe(victim.frame.session);

    const attacker = await RawClient.open(loggedUrl, 'mcp');
    expect(await attacker.next()).toMatchObject({ resumed: false, expired: true, reason: 'Session expired or unknown' });
    await server.sendTo(victim.client.id, { n: 'after the replay' });
    expect(await resumed.next()).toEqual({ n: 'after the replay' });
    attacker.sendJson({ type: 'ping' });
    expect(await attacker.next()).toMatchObject({ type: 'echo' });
    expect(server.getClient(victim.client.id)?.isOpen).toBe(true);
    expect(errors.filter((event) => event.error instanceof ResumeRefusedError)).toEqual([]);
  });

  it('refuses the current token while its session is connected, and leaves that connection alone', async () => {
    const { server, errors, join } = await resumableServer();
    const victim = await join('new');
    const victimClosed = victim.raw.closed.then(() => 'closed');

    const attacker = await join(`${victim.frame.session}:0`);
    expect(attacker.frame).toMatchObject({ resumed: false, expired: true, reason: 'Session expired or unknown' });
    expect(attacker.client.id).not.toBe(victim.client.id);
    const refused = errors.find((event) => event.error instanceof ResumeRefusedError);
    expect((refused?.error as ResumeRefusedError | undefined)?.reason).toBe('live');

    await server.sendTo(victim.client.id, { n: 'still here' });
    expect(await victim.raw.next()).toEqual({ n: 'still here' });
    expect(await Promise.race([victimClosed, new Promise((resolve) => setTimeout(() => resolve('open'), 200))])).toBe('open');
    // And the victim's token still works for the victim.
    victim.raw.socket.terminate();
    await victim.raw.closed;
    const back = await peer(server.url ?? '', `${victim.frame.session}:1`);
    expect(back.frame).toMatchObject({ resumed: true, replayed: 0 });
  });

  it('moves a session off a dead connection the server had not noticed (no answer to its ping)', async () => {
    const { server, errors, join } = await resumableServer({ resume: { liveCheckMs: 200 } });
    const owner = await join('new');
    const resumptions: unknown[] = [];
    server.resumptions$.subscribe((r) => resumptions.push(r));
    // The owner's network vanished: its socket reads nothing more, so it answers no ping.
    tcpOf(owner.raw).pause();
    await server.sendTo(owner.client.id, { n: 'sent into the void' });

    const back = await peer(server.url ?? '', `${owner.frame.session}:0`);
    expect(back.frame).toMatchObject({ resumed: true, replayed: 1 });
    expect(await back.raw.next()).toEqual({ n: 'sent into the void' });
    expect(resumptions).toEqual([{ clientId: owner.client.id, replayed: 1 }]);
    expect(errors.filter((event) => event.error instanceof ResumeRefusedError)).toEqual([]);
  });
});

describe('the token never shows', () => {
  it('travels in a header from our Node client, and neither the hook nor client.request nor a resume sees it', async () => {
    const seenByHook: UpgradeRequest[] = [];
    const { server, url } = await startServer({
      authenticate: (request) => {
        seenByHook.push(request);
        return { ok: true, authInfo: { clientId: 'carol', scopes: [] } };
      },
    });
    const clients: ClientConnection[] = [];
    server.connections$.subscribe((client) => clients.push(client));
    const client = createClient(`${url}/room?x=1`, { protocols: ['mcp'], reconnect: { initialDelay: 10, maxDelay: 20, maxRetries: 5 } });
    const opened = nextValue(client.session$);
    await client.start();
    await opened;
    const resumed = nextValue(client.session$);
    clients[0]?.terminate();
    expect(await resumed).toMatchObject({ resumed: true });

    expect(seenByHook).toHaveLength(2);
    for (const request of seenByHook) {
      expect(request.raw.headers['nexus-session']).toBeDefined();
      expect(request.raw.url).toBe('/room?x=1');
      expect(request.headers['nexus-session']).toBeUndefined();
      expect(request.protocols).toEqual(['mcp']);
    }
    const snapshot = JSON.stringify(clients[0]?.toInfo());
    expect(snapshot).not.toMatch(/nexus.session/);
    expect(clients[0]?.request.url).toBe('/room?x=1');
  });

  it('is cut from client.request whether it came as a subprotocol entry or in the query string', async () => {
    const { server, url } = await startServer();
    const clients: ClientConnection[] = [];
    server.connections$.subscribe((c) => clients.push(c));
    const viaProtocol = await RawClient.open(`${url}/a?keep=1`, ['mcp', 'nexus-session.new']);
    const viaQuery = await RawClient.open(`${url}/b?keep=2&nexus_session=new`, 'mcp');
    const tokens = [((await viaProtocol.next()) as SessionFrame).session, ((await viaQuery.next()) as SessionFrame).session];
    expect(viaProtocol.socket.protocol).toBe('mcp');
    expect(clients.map((c) => c.request.url)).toEqual(['/a?keep=1', '/b?keep=2']);
    expect(clients[0]?.request.headers['sec-websocket-protocol']).toBe('mcp');
    for (const token of tokens) expect(JSON.stringify(clients.map((c) => c.toInfo()))).not.toContain(token);
  });
});

/** The TCP socket under a ws client. */
function tcpOf(raw: RawClient): { pause(): void } {
  return (raw.socket as unknown as { _socket: { pause(): void } })._socket;
}
