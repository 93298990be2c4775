/**
 * Compressed hostile input, beyond spec/transport/hardening/compression.spec.ts (which covers one
 * single-frame bomb, the client's own cap, and a message under the cap): bombs spread over many
 * deflated fragments, several bombers at once beside a bystander, corrupt deflate data, compressed
 * control frames, and a bomb against MCPServer. The cap is on the inflated size, so what goes on the
 * wire stays far under `maxMessageSize` while the message is still refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { CloseCode, MessageTooLargeError, type TransportErrorEvent } from '../../../src/transport/index.js';
import { closeAll as closeMcpFixtures, RawMcpClient, startMcpServer } from '../../mcp/support/mcp-fixtures.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, RawClient, startServer } from '../../support/sockets.js';
import { Bystander, echoOf } from './bystander.js';
import { reportsOf } from './error-reports.js';
import { Opcode, tcpSocketOf, writeRaw } from './raw-frames.js';

afterEach(closeAll);
afterEach(closeMcpFixtures);

const LIMIT = 64 * 1024;
/** Deflate on every message, however small, so each fragment is compressed. */
const deflateAlways = { perMessageDeflate: { threshold: 0 } };

async function compressingServer() {
  const { server, url } = await startServer({
    compression: true,
    maxMessageSize: LIMIT,
    messageHandler: (message: JsonObject) => echoOf(message) as JsonObject,
  });
  const errors: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  const bystander = await Bystander.join(url);
  const offender = async (): Promise<{ raw: RawClient; id: string }> => {
    const connected = nextValue(server.connections$, () => true, 'the offender to connect');
    const raw = await RawClient.open(url, 'mcp', deflateAlways);
    expect(raw.socket.extensions).toContain('permessage-deflate');
    return { raw, id: (await connected).id };
  };
  return { server, errors, bystander, offender };
}

/** Sends `count` deflated text fragments of `size` repeated characters, the last one final unless `finish` is false. */
function sendDeflatedFragments(raw: RawClient, count: number, size: number, finish = true): void {
  const chunk = 'a'.repeat(size);
  raw.socket.send('{"type":"bomb","pad":"', { fin: false, compress: true });
  for (let i = 0; i < count; i += 1) raw.socket.send(chunk, { fin: false, compress: true });
  if (finish) raw.socket.send('"}', { fin: true, compress: true });
}

describe('compressed bombs', () => {
  it('closes with 1009 a bomb spread over many small deflated fragments, from a wire far under the limit', async () => {
    const { server, errors, bystander, offender } = await compressingServer();
    const { raw, id } = await offender();
    const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the bomber to be dropped');
    // 32 × 256 KiB = 8 MiB inflated, never finished: only the running inflated total can trip the cap.
    sendDeflatedFragments(raw, 32, 256 * 1024, false);
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    expect((await gone).code).toBe(CloseCode.MessageTooBig);
    expect(tcpSocketOf(raw.socket).bytesWritten).toBeLessThan(LIMIT);
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'message_too_large' }]);
    await bystander.expectServed();
  });

  it('reassembles deflated fragments whose inflated total stays under the limit', async () => {
    const { bystander, offender } = await compressingServer();
    const { raw } = await offender();
    sendDeflatedFragments(raw, 8, 7 * 1024);
    expect(await raw.next()).toEqual(echoOf({ type: 'bomb', pad: 'a'.repeat(8 * 7 * 1024) }));
    await bystander.expectServed();
  });

  it('drops several bombers at once while a compressing bystander keeps being served', async () => {
    const { server, errors, offender } = await compressingServer();
    const bystander = await RawClient.open(`ws://127.0.0.1:${String(server.address?.port)}`, 'mcp', deflateAlways);
    const bombers = await Promise.all([offender(), offender(), offender(), offender()]);
    const bomb = JSON.stringify({ type: 'bomb', pad: 'a'.repeat(16 * 1024 * 1024) });
    for (const { raw } of bombers) raw.socket.send(bomb);
    for (let n = 1; n <= 20; n += 1) {
      bystander.sendJson({ type: 'compressed-probe', n, pad: 'b'.repeat(1000) });
      expect(await bystander.next()).toEqual(echoOf({ type: 'compressed-probe', n, pad: 'b'.repeat(1000) }));
    }
    const codes = await Promise.all(bombers.map(async ({ raw }) => (await raw.closed).code));
    expect(codes).toEqual([1009, 1009, 1009, 1009]);
    await nextValue(server.clientCount$, (count) => count === 2, 'the bombers to be forgotten');
    expect(errors.filter(({ error }) => error instanceof MessageTooLargeError)).toHaveLength(4);
  });
});

describe('corrupt compressed frames', () => {
  it('closes with 1007 on a deflated text message that inflates to invalid UTF-8', async () => {
    const { bystander, offender } = await compressingServer();
    const { raw } = await offender();
    raw.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false, compress: true });
    expect((await raw.closed).code).toBe(CloseCode.InvalidPayload);
    await bystander.expectServed();
  });

  it('closes with 1007 on a compressed frame whose payload is not deflate data', async () => {
    const { errors, bystander, offender } = await compressingServer();
    const { raw, id } = await offender();
    writeRaw(raw.socket, { opcode: Opcode.Text, rsv1: true, payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]) });
    expect((await raw.closed).code).toBe(CloseCode.InvalidPayload);
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'socket_error' }]);
    await bystander.expectServed();
  });

  it('closes with 1002 on a control frame marked compressed', async () => {
    const { bystander, offender } = await compressingServer();
    const { raw } = await offender();
    writeRaw(raw.socket, { opcode: Opcode.Ping, rsv1: true, payload: Buffer.from('hello') });
    expect((await raw.closed).code).toBe(CloseCode.ProtocolError);
    await bystander.expectServed();
  });
});

describe('a compressed bomb against MCPServer', () => {
  it('closes the bomber with 1009 and keeps answering another session', async () => {
    const { url } = await startMcpServer({ compression: true, maxMessageSize: LIMIT });
    const bystander = await RawMcpClient.connect(url);
    await bystander.initialize();
    const bomber = await RawClient.open(url, 'mcp', deflateAlways);
    const bomb = { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { pad: 'a'.repeat(16 * 1024 * 1024) } } };
    bomber.sendJson(bomb);
    expect((await bomber.closed).code).toBe(CloseCode.MessageTooBig);
    expect(tcpSocketOf(bomber.socket).bytesWritten).toBeLessThan(LIMIT);
    expect(await bystander.request('ping', undefined, 'after-bomb')).toEqual({ jsonrpc: '2.0', id: 'after-bomb', result: {} });
  });
});
