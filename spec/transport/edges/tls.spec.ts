import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionFailedError, HandshakeDroppedError } from '../../../src/transport/index.js';
import { selfSignedCertificate } from '../../support/certificate.js';
import { RawTcp } from '../../support/raw-upgrade.js';
import { closeAll, track } from '../../support/resources.js';
import { createClient, nextValue, RawClient, startClient, startServer } from '../../support/sockets.js';
import { upgradeResponse } from '../security/upgrade-response.js';

afterEach(closeAll);

let key: string;
let cert: string;

beforeAll(() => {
  ({ key, cert } = selfSignedCertificate());
});

describe('TLS', () => {
  it('serves wss:// from `tls: { key, cert }`, and a client that trusts the CA talks to it', async () => {
    const { server, url } = await startServer({ tls: { key, cert }, messageHandler: (message) => ({ type: 'echo', original: message }) });
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const connected = nextValue(server.connections$);
    const client = await startClient(url, { socketOptions: { ca: cert } });
    await connected;
    await client.sendMessage({ type: 'hello' });
    expect(await client.receiveMessage(5000)).toEqual({ type: 'echo', original: { type: 'hello' } });
  });

  it('a client without the CA refuses the certificate', async () => {
    const { server, url } = await startServer({ tls: { key, cert } });
    const client = createClient(url, { reconnect: false });
    const failure: unknown = await client.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectionFailedError);
    expect(String((failure as ConnectionFailedError).closeReason)).toMatch(/self[- ]signed certificate/);
    expect(server.getConnectedClients()).toBe(0);
  });

  it('tells the authenticate hook that the connection is secure, and answers plain HTTPS requests with 426', async () => {
    let secure: boolean | undefined;
    const { url } = await startServer({
      tls: { key, cert },
      authenticate: (request) => {
        secure = request.secure;
        return { ok: true, authInfo: { clientId: 'tls-client', scopes: [] } };
      },
    });
    expect((await upgradeResponse(url, 'mcp', { ca: cert })).status).toBe(101);
    expect(secure).toBe(true);
    const response = await fetchStatus(url.replace('wss://', 'https://'), cert);
    expect(response).toBe(426);
  });

  it('stop() closes a connection that sits in its TLS handshake at once, without a report', async () => {
    // A deadline far past the test's own timeout: only stop() can end this connection in time.
    const { server, url } = await startServer({ tls: { key, cert }, handshakeTimeoutMs: 10 * 60_000 });
    const port = Number(new URL(url).port);
    const reported: unknown[] = [];
    server.errors$.subscribe(({ error }) => reported.push(error));
    const stalled = await RawTcp.open(port);
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a TLS handshake record, then nothing
    // Accepted in order: once this client is connected, the stalled connection is the listener's too.
    const client = await RawClient.open(url, 'mcp', { ca: cert });
    await server.stop();
    await stalled.closed;
    expect(stalled.text).toBe(''); // closed without a word
    expect(await client.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    expect(reported).toEqual([]); // not a HandshakeDroppedError: no deadline passed
    await expect(RawTcp.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('drops a connection that never finishes its TLS handshake once handshakeTimeoutMs has passed', async () => {
    const { server, url } = await startServer({ tls: { key, cert }, handshakeTimeoutMs: 300 });
    const dropped = nextValue(server.errors$, ({ error }) => error instanceof HandshakeDroppedError);
    const stalled = await RawTcp.open(Number(new URL(url).port));
    // The first bytes of a TLS record (a handshake, TLS 1.0 framing), then nothing more.
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01]));
    await stalled.closed;
    expect((await dropped).error).toMatchObject({ reason: 'timeout', remoteAddress: '127.0.0.1' });
  });

  it('drops a connection that finished TLS but trickles its request headers: the deadline counts from TCP accept', async () => {
    const { server, url } = await startServer({ tls: { key, cert }, handshakeTimeoutMs: 300 });
    const dropped = nextValue(server.errors$, ({ error }) => error instanceof HandshakeDroppedError);
    const slow = track(tlsConnect({ host: '127.0.0.1', port: Number(new URL(url).port), ca: cert }), (socket) => socket.destroy());
    slow.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    await new Promise<void>((resolve) => slow.once('secureConnect', () => resolve()));
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: ');
    const trickle = setInterval(() => slow.write('a'), 50);
    await closed;
    clearInterval(trickle);
    expect((await dropped).error).toMatchObject({ reason: 'timeout' });
    // A real client finishes its TLS handshake and its request well within the same deadline.
    const client = await startClient(url, { socketOptions: { ca: cert } });
    expect(client.isConnected()).toBe(true);
  });

  it('stops cleanly: the listener it created is closed, so the port is free again', async () => {
    const { server, url } = await startServer({ tls: { key, cert } });
    await startClient(url, { socketOptions: { ca: cert } });
    const port = server.address?.port ?? 0;
    await server.stop();
    const again = await startServer({ tls: { key, cert }, port });
    expect(again.server.address?.port).toBe(port);
  });
});

/** Status of a plain GET over https to a server whose certificate is `ca`. */
function fetchStatus(url: string, ca: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
