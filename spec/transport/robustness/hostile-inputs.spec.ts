/**
 * Hostile input against a live WebSocketServerTransport: deep nesting, sizes at and past
 * `maxMessageSize`, invalid UTF-8, binary frames, fragmented messages. Each offender gets its
 * documented outcome (an error reply on a connection that stays usable, or a documented close code),
 * a bystander on the same server keeps being served, and nothing reaches the unhandled-rejection
 * hook (spec/support/fail-on-unhandled.ts fails the test if it does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { CloseCode, type ServerTransportOptions, type TransportErrorEvent } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, RawClient, startServer } from '../../support/sockets.js';
import { Bystander, echoOf } from './bystander.js';
import { reportsOf } from './error-reports.js';
import { Opcode, textFrame, writeRaw } from './raw-frames.js';

afterEach(closeAll);

/** Small enough that tests cross it cheaply. */
const LIMIT = 64 * 1024;
const DEPTH = 100_000;

const echo = (message: JsonObject): JsonObject => ({ type: 'echo', original: message });

async function hostileServer(options: ServerTransportOptions = {}) {
  const { server, url } = await startServer({
    maxMessageSize: LIMIT,
    // `keys` looks at a message without serialising it back; everything else is echoed.
    messageHandler: { keys: (message) => ({ type: 'keys', keys: Object.keys(message) }), '*': echo },
    ...options,
  });
  const errors: TransportErrorEvent[] = [];
  server.errors$.subscribe((event) => errors.push(event));
  const bystander = await Bystander.join(url);
  const offender = async (): Promise<{ raw: RawClient; id: string }> => {
    const connected = nextValue(server.connections$, () => true, 'the offender to connect');
    const raw = await RawClient.open(url, 'mcp');
    return { raw, id: (await connected).id };
  };
  return { server, url, errors, bystander, offender };
}

/** A connection that is still usable: it sends a probe and gets the echo. */
async function expectUsable(raw: RawClient): Promise<void> {
  const probe = { type: 'still-there' };
  raw.sendJson(probe);
  expect(await raw.next()).toEqual(echoOf(probe));
}

/** Exactly `bytes` bytes of UTF-8 JSON: `{"type":"pad","pad":"aaa…"}`. */
function paddedMessage(bytes: number, unit = 'a'): string {
  const empty = JSON.stringify({ type: 'pad', pad: '' });
  const unitBytes = Buffer.byteLength(unit);
  const room = bytes - Buffer.byteLength(empty);
  const text = unit.repeat(Math.floor(room / unitBytes)) + 'a'.repeat(room % unitBytes);
  const message = JSON.stringify({ type: 'pad', pad: text });
  expect(Buffer.byteLength(message)).toBe(bytes);
  return message;
}

describe('deeply nested JSON', () => {
  it(`answers ${DEPTH} nested arrays with not_an_object and keeps the connection`, async () => {
    const { errors, bystander, offender } = await hostileServer({ maxMessageSize: 4 * DEPTH });
    const { raw } = await offender();
    raw.socket.send('['.repeat(DEPTH) + ']'.repeat(DEPTH));
    expect(await raw.next()).toEqual({ type: 'error', error: 'Message must be a JSON object', code: 'not_an_object' });
    expect(reportsOf(errors).map(({ code }) => code)).toEqual(['invalid_frame']);
    await expectUsable(raw);
    await bystander.expectServed();
  });

  it('answers an unbalanced, never-closed nesting with invalid_json', async () => {
    const { bystander, offender } = await hostileServer({ maxMessageSize: 8 * DEPTH });
    const { raw } = await offender();
    raw.socket.send('{"a":'.repeat(DEPTH));
    expect(await raw.next()).toEqual({ type: 'error', error: 'Invalid JSON message', code: 'invalid_json' });
    await expectUsable(raw);
    await bystander.expectServed();
  });

  it('hands a deep value inside an object to the handler', async () => {
    const { bystander, offender } = await hostileServer({ maxMessageSize: 4 * DEPTH });
    const { raw } = await offender();
    raw.socket.send(`{"type":"keys","deep":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`);
    expect(await raw.next()).toEqual({ type: 'keys', keys: ['type', 'deep'] });
    await bystander.expectServed();
  });

  it('answers handler_failed, and reports a HandlerError, when a reply is too deep to serialise', async () => {
    const { errors, bystander, offender } = await hostileServer({ maxMessageSize: 8 * DEPTH });
    const { raw, id } = await offender();
    // Parsing is iterative in V8; serialising the echo back is not, and overflows the stack.
    raw.socket.send(`{"type":"echo-me","deep":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`);
    expect(await raw.next()).toEqual({ type: 'error', error: 'Internal server error', code: 'handler_failed' });
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'handler_failed' }]);
    await expectUsable(raw);
    await bystander.expectServed();
  });
});

describe('keys that could become a prototype', () => {
  it('answers __proto__ (plain or escaped, at any depth) with forbidden_key, never reaching the handler map', async () => {
    const { errors, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    for (const frame of ['{"type":"keys","__proto__":{"type":"admin"}}', '{"type":"keys","a":[{"b":{"\\u005f_proto__":{"isAdmin":true}}}]}']) {
      raw.socket.send(frame);
      expect(await raw.next()).toEqual({ type: 'error', error: expect.stringMatching(/forbidden key/) as unknown, code: 'forbidden_key' });
    }
    await expectUsable(raw);
    expect(errors.map((event) => [event.error.code, event.clientId])).toEqual([
      ['invalid_frame', id],
      ['invalid_frame', id],
    ]);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    await bystander.expectServed();
  });
});

describe('message size', () => {
  it('accepts a message of exactly maxMessageSize bytes', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    const message = paddedMessage(LIMIT);
    raw.socket.send(message);
    expect(await raw.next()).toEqual(echoOf(JSON.parse(message)));
    await bystander.expectServed();
  });

  it('closes a message one byte over with 1009, reports it, and forgets the client', async () => {
    const { server, errors, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the offender to be dropped');
    raw.socket.send(paddedMessage(LIMIT + 1));
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    expect((await gone).code).toBe(CloseCode.MessageTooBig);
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'message_too_large' }]);
    expect(server.getClients()).toHaveLength(1);
    await bystander.expectServed();
  });

  it('counts UTF-8 bytes, not characters: 2-byte characters at the limit pass, one byte more closes', async () => {
    const { bystander, offender } = await hostileServer();
    const atLimit = paddedMessage(LIMIT, 'é');
    expect(atLimit.length).toBeLessThan(LIMIT * 0.6);
    const first = await offender();
    first.raw.socket.send(atLimit);
    expect(await first.raw.next()).toEqual(echoOf(JSON.parse(atLimit)));

    const second = await offender();
    second.raw.socket.send(paddedMessage(LIMIT + 1, 'é'));
    expect((await second.raw.closed).code).toBe(CloseCode.MessageTooBig);
    await bystander.expectServed();
  });

  it('closes a message 128 times the limit with 1009', async () => {
    const { server, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the offender to be dropped');
    raw.socket.send(paddedMessage(128 * LIMIT));
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    expect((await gone).code).toBe(CloseCode.MessageTooBig);
    expect(server.getConnectedClients()).toBe(1);
    await bystander.expectServed();
  });
});

describe('invalid UTF-8 in a text frame', () => {
  const cases: Record<string, number[]> = {
    'a lone continuation byte': [0x7b, 0x80, 0x7d],
    'an overlong encoding of "/"': [0xc0, 0xaf],
    'a UTF-16 surrogate': [0xed, 0xa0, 0x80],
    'a sequence cut short at the end': [0x22, 0xe2, 0x82],
    'bytes that never occur in UTF-8': [0xfe, 0xff],
  };
  for (const [name, bytes] of Object.entries(cases)) {
    it(`closes with 1007 on ${name}`, async () => {
      const { server, errors, bystander, offender } = await hostileServer();
      const { raw, id } = await offender();
      const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the offender to be dropped');
      raw.socket.send(Buffer.from(bytes), { binary: false });
      expect((await raw.closed).code).toBe(CloseCode.InvalidPayload);
      await gone;
      expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'socket_error' }]);
      await bystander.expectServed();
    });
  }

  it('accepts a 2-byte character split across two fragments', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    const bytes = Buffer.from('{"type":"split","text":"é"}', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "é"
    raw.socket.send(bytes.subarray(0, cut), { binary: false, fin: false });
    raw.socket.send(bytes.subarray(cut), { binary: false, fin: true });
    expect(await raw.next()).toEqual(echoOf({ type: 'split', text: 'é' }));
    await bystander.expectServed();
  });
});

describe('binary frames', () => {
  it('get a binary_frame error reply by default, on a connection that stays usable', async () => {
    const { errors, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    raw.socket.send(Buffer.from('{"type":"looks-like-json"}'), { binary: true });
    expect(await raw.next()).toEqual({ type: 'error', error: 'Binary frames are not supported; send JSON as text', code: 'binary_frame' });
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'invalid_frame' }]);
    await expectUsable(raw);
    await bystander.expectServed();
  });

  it("close with 1003 after the error reply with binaryFrames: 'close'", async () => {
    const { bystander, offender } = await hostileServer({ binaryFrames: 'close' });
    const { raw } = await offender();
    raw.socket.send(Buffer.alloc(16), { binary: true });
    expect(await raw.next()).toMatchObject({ code: 'binary_frame' });
    expect(await raw.closed).toEqual({ code: CloseCode.UnsupportedData, reason: 'Binary frames are not supported' });
    await bystander.expectServed();
  });

  it('over the limit close with 1009 like text', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    raw.socket.send(Buffer.alloc(LIMIT + 1), { binary: true });
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    await bystander.expectServed();
  });
});

describe('fragmented messages', () => {
  /** Sends `text` as fragments of `size` bytes, optionally without the final one. */
  function sendFragments(raw: RawClient, text: string, size: number, { finish = true, between }: { finish?: boolean; between?: () => void } = {}): number {
    const bytes = Buffer.from(text, 'utf8');
    let sent = 0;
    for (let at = 0; at < bytes.length; at += size) {
      const last = at + size >= bytes.length;
      if (last && !finish) break;
      raw.socket.send(bytes.subarray(at, at + size), { binary: false, fin: last });
      sent += 1;
      if (!last) between?.();
    }
    return sent;
  }

  it('reassembles a message split into 1000 fragments under the limit', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    const message = paddedMessage(50_000);
    expect(sendFragments(raw, message, 50)).toBe(1000);
    expect(await raw.next()).toEqual(echoOf(JSON.parse(message)));
    await bystander.expectServed();
  });

  it('reassembles a message of 10000 one-byte fragments', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    const message = paddedMessage(10_000);
    expect(sendFragments(raw, message, 1)).toBe(10_000);
    expect(await raw.next()).toEqual(echoOf(JSON.parse(message)));
    await bystander.expectServed();
  });

  it('answers pings sent between fragments and still reassembles the message', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    let pongs = 0;
    raw.socket.on('pong', () => (pongs += 1));
    const message = paddedMessage(2_000);
    sendFragments(raw, message, 100, { between: () => raw.socket.ping() });
    expect(await raw.next()).toEqual(echoOf(JSON.parse(message)));
    // Control frames are answered in order, so every pong is in before the reply.
    expect(pongs).toBe(19);
    await bystander.expectServed();
  });

  it('closes with 1009 as soon as the fragments pass the limit, before any final fragment', async () => {
    const { server, errors, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the offender to be dropped');
    // 2 × LIMIT of fragments and no final one: only the running total can trigger the close.
    sendFragments(raw, paddedMessage(2 * LIMIT), 1024, { finish: false });
    expect((await raw.closed).code).toBe(CloseCode.MessageTooBig);
    await gone;
    expect(reportsOf(errors)).toEqual([{ clientId: id, code: 'message_too_large' }]);
    expect(server.getConnectedClients()).toBe(1);
    await bystander.expectServed();
  });

  it('lets an unfinished fragmented message hold up nobody, and frees it when its sender leaves', async () => {
    const { server, bystander, offender } = await hostileServer();
    const { raw, id } = await offender();
    sendFragments(raw, paddedMessage(LIMIT - 1), 4096, { finish: false });
    await bystander.expectServed();
    const gone = nextValue(server.disconnections$, (event) => event.clientId === id, 'the offender to be dropped');
    raw.socket.terminate();
    expect((await gone).code).toBe(CloseCode.Abnormal);
    expect(server.getClients().map((client) => client.id)).not.toContain(id);
    await bystander.expectServed();
  });

  it('closes with 1002 when a new message starts in the middle of a fragmented one', async () => {
    const { bystander, offender } = await hostileServer();
    const { raw } = await offender();
    writeRaw(raw.socket, { opcode: Opcode.Text, payload: Buffer.from('{"type":'), fin: false }, textFrame('{"type":"interloper"}'));
    expect((await raw.closed).code).toBe(CloseCode.ProtocolError);
    await bystander.expectServed();
  });
});
