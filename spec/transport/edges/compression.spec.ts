import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CloseCode, ConnectionFailedError, MessageTooLargeError } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, RawClient, serverSocketOf, startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

/** Bytes the TCP socket under a ws socket has written so far (what really went on the wire). */
function bytesWritten(socket: WebSocket): number {
  return (socket as unknown as { _socket: Socket })._socket.bytesWritten;
}

const bigRepetitive = { type: 'report', rows: Array.from({ length: 2000 }, (_, i) => ({ id: i % 10, status: 'ok', note: 'all good' })) };
const bigSize = JSON.stringify(bigRepetitive).length;

describe('permessage-deflate', () => {
  it('is off by default: a ws client that offers it gets no extension', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: true });
    expect(raw.socket.extensions).toBe('');
    expect(serverSocketOf(await connected).extensions).toBe('');
  });

  it('is negotiated between our server and our client, and shrinks what goes on the wire', async () => {
    const { server, url } = await startServer({ compression: true });
    const connected = nextValue(server.connections$);
    const client = await startClient(url, { compression: true });
    const connection = await connected;
    expect(serverSocketOf(connection).extensions).toBe('permessage-deflate');

    const before = bytesWritten(serverSocketOf(connection));
    await server.sendTo(connection.id, bigRepetitive);
    expect(await client.receiveMessage(5000)).toEqual(bigRepetitive);
    const onWire = bytesWritten(serverSocketOf(connection)) - before;
    expect(bigSize).toBeGreaterThan(50_000);
    expect(onWire).toBeLessThan(bigSize / 10);
  });

  it('is negotiated with a plain ws client, both ways', async () => {
    const { server, url } = await startServer({
      compression: { threshold: 256, level: 1, memLevel: 4 },
      messageHandler: (message) => ({ type: 'size', rows: Array.isArray(message['rows']) ? message['rows'].length : -1 }),
    });
    const connected = nextValue(server.connections$);
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: true });
    const connection = await connected;
    expect(raw.socket.extensions).toContain('permessage-deflate');

    const before = bytesWritten(raw.socket);
    raw.sendJson(bigRepetitive);
    expect(await raw.next()).toEqual({ type: 'size', rows: 2000 });
    expect(bytesWritten(raw.socket) - before).toBeLessThan(bigSize / 10);

    await server.sendTo(connection.id, bigRepetitive);
    expect(await raw.next()).toEqual(bigRepetitive);
  });

  it('never fails a handshake over compression parameters: a client asking for no context takeover still connects', async () => {
    const { url } = await startServer({ compression: { contextTakeover: true } });
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true } });
    expect(raw.socket.extensions).toContain('permessage-deflate');
  });

  it('caps the decompressed size: a small deflated frame that inflates past maxMessageSize closes with 1009', async () => {
    const maxMessageSize = 64 * 1024;
    const { server, url } = await startServer({ compression: true, maxMessageSize });
    const tooLarge = nextValue(server.errors$, ({ error }) => error instanceof MessageTooLargeError, 'the oversize report');
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: { threshold: 0 } });
    // 16 MiB of one repeated character deflates to about 16 KiB: far under the limit on the wire.
    const bomb = JSON.stringify({ pad: 'a'.repeat(16 * 1024 * 1024) });
    raw.socket.send(bomb);
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    await tooLarge;
    expect(bytesWritten(raw.socket)).toBeLessThan(maxMessageSize);
    expect(server.getConnectedClients()).toBe(0);
  });

  it('caps the decompressed size on our client too: an inflated message over its maxMessageSize ends it with 1009', async () => {
    const { server, url } = await startServer({ compression: true });
    const connected = nextValue(server.connections$);
    const client = await startClient(url, { compression: true, maxMessageSize: 1024 });
    const connection = await connected;
    const failed = nextValue(client.errors$, (error) => error instanceof ConnectionFailedError, 'the client to give up');
    await server.sendTo(connection.id, { pad: 'a'.repeat(1024 * 1024) });
    expect(await failed).toMatchObject({ closeCode: CloseCode.MessageTooBig });
    expect(bytesWritten(serverSocketOf(connection))).toBeLessThan(64 * 1024);
  });

  it('keeps accepting compressed messages under the cap on the same server', async () => {
    const { url } = await startServer({ compression: true, maxMessageSize: 64 * 1024, messageHandler: () => ({ type: 'ok' }) });
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: { threshold: 0 } });
    raw.sendJson({ pad: 'a'.repeat(60 * 1024) });
    expect(await raw.next()).toEqual({ type: 'ok' });
  });
});
