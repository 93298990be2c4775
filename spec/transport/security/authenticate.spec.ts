import { afterEach, describe, expect, it } from 'vitest';
import {
  allow,
  bearerAuth,
  ConnectionFailedError,
  deny,
  tokenSubprotocol,
  UpgradeRefusedError,
  type AuthInfo,
  type Authenticate,
  type UpgradeRequest,
} from '../../../src/transport/index.js';
import { CloseCode } from '../../../src/transport/close-codes.js';
import { closeAll } from '../../support/resources.js';
import { createClient, nextValue, startClient, startServer } from '../../support/sockets.js';
import { upgradeResponse } from './upgrade-response.js';

afterEach(closeAll);

const alice: AuthInfo = { clientId: 'alice', scopes: ['tools:call'] };
const SECRET = 's3cret-Token_1';

/** Accepts SECRET as alice; anything else is not a token it knows. */
const verify = (token: string): AuthInfo | undefined => (token === SECRET ? { ...alice, token } : undefined);

describe('authenticate hook', () => {
  it('runs on the upgrade request and exposes the principal as client.authInfo', async () => {
    const seen: UpgradeRequest[] = [];
    const authenticate: Authenticate = (request) => {
      seen.push(request);
      return allow(alice);
    };
    const { server, url } = await startServer({ authenticate });
    const connected = nextValue(server.connections$);
    await startClient(`${url}/mcp?tenant=t1`, { protocols: ['mcp'], headers: { 'x-api-key': 'k' } });
    const client = await connected;
    expect(client.authInfo).toEqual(alice);
    expect(client.toInfo().authInfo).toEqual(alice);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ url: '/mcp?tenant=t1', protocols: ['mcp'], remoteAddress: '127.0.0.1', secure: false });
    expect(seen[0]?.query.get('tenant')).toBe('t1');
    expect(seen[0]?.headers['x-api-key']).toBe('k');
  });

  it('leaves authInfo undefined on a server without a hook', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    await startClient(url);
    expect((await connected).authInfo).toBeUndefined();
  });

  it('answers 401 or 403 as the hook says, before any socket exists', async () => {
    const unauthorised = await startServer({ authenticate: () => deny(401, 'who are you') });
    const refused = nextValue(unauthorised.server.errors$, ({ error }) => error instanceof UpgradeRefusedError);
    const first = await upgradeResponse(unauthorised.url, 'mcp');
    expect(first.status).toBe(401);
    expect(first.headers['www-authenticate']).toBe('Bearer');
    expect((await refused).error.message).toContain('who are you');
    // The reason is for the operator; the peer sees a fixed phrase.
    expect(first.body).toBe('Unauthorized');

    const forbidden = await startServer({ authenticate: async () => Promise.resolve(deny(403)) });
    expect((await upgradeResponse(forbidden.url, 'mcp')).status).toBe(403);
    expect(unauthorised.server.getConnectedClients() + forbidden.server.getConnectedClients()).toBe(0);
  });

  it('answers 500 when the hook throws, and reports the failure', async () => {
    const { server, url } = await startServer({
      authenticate: () => {
        throw new Error('auth backend down');
      },
    });
    const refused = nextValue(server.errors$, ({ error }) => error instanceof UpgradeRefusedError);
    expect((await upgradeResponse(url, 'mcp')).status).toBe(500);
    const { error } = await refused;
    expect(error).toMatchObject({ status: 500 });
    expect(error.message).toContain('auth backend down');
  });

  it('our client treats 401 as fatal: it stops with close code 4001 and does not retry', async () => {
    let attempts = 0;
    const { url } = await startServer({
      authenticate: () => {
        attempts += 1;
        return deny(401);
      },
    });
    const client = createClient(url, { reconnect: { initialDelay: 10, maxDelay: 20, maxRetries: 5 } });
    const failure = await client.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    expect(failure).toMatchObject({ closeCode: CloseCode.Unauthorized });
    expect(attempts).toBe(1);
  });

  it('our client treats 403 as fatal too (close code 4003)', async () => {
    let attempts = 0;
    const { url } = await startServer({
      authenticate: () => {
        attempts += 1;
        return deny(403);
      },
    });
    const client = createClient(url, { reconnect: { initialDelay: 10, maxDelay: 20, maxRetries: 5 } });
    await expect(client.start()).rejects.toMatchObject({ closeCode: CloseCode.Forbidden });
    expect(attempts).toBe(1);
  });
});

describe('bearerAuth', () => {
  it('reads the token from the Authorization header', async () => {
    const { server, url } = await startServer({ authenticate: bearerAuth(verify) });
    const connected = nextValue(server.connections$);
    await startClient(url, { protocols: ['mcp'], headers: { Authorization: `Bearer ${SECRET}` } });
    const client = await connected;
    expect(client.authInfo).toEqual({ ...alice, token: SECRET });
    // The connection snapshot is safe to log: the credential is redacted.
    expect(client.request.headers.authorization).toBe('REDACTED');
    expect(JSON.stringify(client.toInfo().request)).not.toContain(SECRET);
  });

  it('reads the token from the `token` query parameter, the path browsers can use', async () => {
    const { server, url } = await startServer({ authenticate: bearerAuth(verify) });
    const connected = nextValue(server.connections$);
    await startClient(`${url}/?token=${SECRET}&room=1`, { protocols: ['mcp'] });
    const client = await connected;
    expect(client.authInfo?.clientId).toBe('alice');
    expect(client.request.url).toBe('/?token=REDACTED&room=1');
  });

  it('reads the token from a subprotocol entry and echoes only `mcp`, never the token', async () => {
    const { server, url } = await startServer({ authenticate: bearerAuth(verify) });
    const connected = nextValue(server.connections$);
    const response = await upgradeResponse(url, ['mcp', tokenSubprotocol(SECRET)]);
    expect(response.status).toBe(101);
    expect(response.headers['sec-websocket-protocol']).toBe('mcp');
    expect(JSON.stringify(response.headers)).not.toContain(SECRET);
    expect(response.client.socket.protocol).toBe('mcp');
    const client = await connected;
    expect(client.authInfo?.clientId).toBe('alice');
    expect(client.protocol).toBe('mcp');
    expect(client.request.headers['sec-websocket-protocol']).toBe('mcp, bearer.REDACTED');
  });

  it('accepts the `auth.` prefix too, and our client transport can send the token that way', async () => {
    const { server, url } = await startServer({ authenticate: bearerAuth(verify) });
    const connected = nextValue(server.connections$);
    const transport = await startClient(url, { protocols: ['mcp', tokenSubprotocol(SECRET, 'auth.')] });
    expect(transport.isConnected()).toBe(true);
    expect((await connected).authInfo?.clientId).toBe('alice');
  });

  it('answers 401 for a missing or unknown token, and 403 when verify says so', async () => {
    const { url } = await startServer({
      authenticate: bearerAuth((token) => (token === 'read-only' ? deny(403, 'missing scope') : verify(token))),
    });
    expect((await upgradeResponse(url, 'mcp')).status).toBe(401);
    expect((await upgradeResponse(url, 'mcp', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await upgradeResponse(url, ['mcp', 'bearer.wrong'])).status).toBe(401);
    expect((await upgradeResponse(`${url}/?token=read-only`, 'mcp')).status).toBe(403);
    expect((await upgradeResponse(url, 'mcp', { headers: { Authorization: `Bearer ${SECRET}` } })).status).toBe(101);
  });
});
