import { defer, finalize, from, interval, map, take, timer } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { CloseCode, HandlerError, InvalidFrameError, MessageTooLargeError, type ClientConnection } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, nextValues, RawClient, startServer, textOf } from '../../support/sockets.js';

afterEach(closeAll);

const internalError = { type: 'error', error: 'Internal server error', code: 'handler_failed' };

describe('WebSocketServerTransport messageHandler', () => {
  it('sends a returned value back to the sender only, and is given the client', async () => {
    const seen: string[] = [];
    const { url } = await startServer({
      messageHandler: (message, client: ClientConnection) => {
        seen.push(client.id);
        return { type: 'echo', original: message };
      },
    });
    const [sender, bystander] = [await RawClient.open(url), await RawClient.open(url)];
    sender.sendJson({ type: 'hello', n: 1 });
    expect(await sender.next()).toEqual({ type: 'echo', original: { type: 'hello', n: 1 } });
    bystander.sendJson({ type: 'marker' });
    // The bystander's first frame is its own reply: it never saw the sender's.
    expect(await bystander.next()).toEqual({ type: 'echo', original: { type: 'marker' } });
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
  });

  it('sends the value of a returned Promise', async () => {
    const { url } = await startServer({ messageHandler: (message) => Promise.resolve({ type: 'later', got: message['n'] }) });
    const client = await RawClient.open(url);
    client.sendJson({ n: 5 });
    expect(await client.next()).toEqual({ type: 'later', got: 5 });
  });

  it('sends every value of a returned Observable, in order', async () => {
    const { url } = await startServer({
      messageHandler: (message) =>
        timer(0, 5).pipe(
          take(3),
          map((i) => ({ type: 'progress', step: i, of: message['job'] })),
        ),
    });
    const client = await RawClient.open(url);
    client.sendJson({ job: 'j1' });
    expect([await client.next(), await client.next(), await client.next()]).toEqual([
      { type: 'progress', step: 0, of: 'j1' },
      { type: 'progress', step: 1, of: 'j1' },
      { type: 'progress', step: 2, of: 'j1' },
    ]);
  });

  it('stops an Observable reply that is still running when its client goes away', async () => {
    let stopped: () => void = () => undefined;
    const replyStopped = new Promise<void>((resolve) => (stopped = resolve));
    const { url } = await startServer({
      messageHandler: () => interval(5).pipe(map((n) => ({ type: 'tick', n })), finalize(() => stopped())),
    });
    const client = await RawClient.open(url);
    client.sendJson({ type: 'subscribe' });
    expect(await client.next()).toEqual({ type: 'tick', n: 0 });
    client.socket.close();
    await replyStopped;
  });

  it('sends nothing when the handler returns nothing (or a Promise of nothing)', async () => {
    const { url } = await startServer({
      messageHandler: (message) => {
        if (message['silent'] === 'sync') return undefined;
        if (message['silent'] === 'async') return Promise.resolve(undefined);
        return { type: 'answer', to: message['n'] };
      },
    });
    const client = await RawClient.open(url);
    client.sendJson({ silent: 'sync', n: 1 });
    client.sendJson({ silent: 'async', n: 2 });
    client.sendJson({ n: 3 });
    expect(await client.next()).toEqual({ type: 'answer', to: 3 });
  });

  it.each([
    ['throws', (): JsonObject => {
      throw new Error('secret detail /etc/passwd');
    }],
    ['rejects', () => Promise.reject(new Error('secret detail /etc/passwd'))],
    ['errors its Observable', () => defer(() => from(Promise.reject(new Error('secret detail /etc/passwd'))))],
  ])('when the handler %s: a generic error reply without details, an errors$ event, and the connection stays open', async (_how, failing) => {
    const { server, url } = await startServer({
      messageHandler: (message) => (message['fail'] ? failing() : { type: 'ok' }),
    });
    const connected = nextValue(server.connections$);
    const client = await RawClient.open(url);
    const { id } = await connected;
    const reported = nextValue(server.errors$);
    client.sendJson({ fail: true });
    const frame = await client.nextFrame();
    const text = textOf(frame.data);
    expect(JSON.parse(text)).toEqual(internalError);
    expect(text).not.toContain('secret');
    expect(text).not.toMatch(/\bat\b.*:\d+/);
    const event = await reported;
    expect(event.clientId).toBe(id);
    expect(event.error).toBeInstanceOf(HandlerError);
    expect(event.error.message).toContain('secret detail');
    expect(event.error.cause).toEqual(new Error('secret detail /etc/passwd'));
    client.sendJson({ fail: false });
    expect(await client.next()).toEqual({ type: 'ok' });
    expect(server.getConnectedClients()).toBe(1);
  });

  it('a reply that cannot be serialised counts as a handler failure', async () => {
    const { server, url } = await startServer({ messageHandler: () => ({ type: 'big', n: 1n }) });
    const client = await RawClient.open(url);
    const reported = nextValue(server.errors$);
    client.sendJson({});
    expect(await client.next()).toEqual(internalError);
    expect((await reported).error).toBeInstanceOf(HandlerError);
  });

  it("routes a handler map by type, falls back to '*', and answers an unknown type when there is no '*'", async () => {
    const { url } = await startServer({
      messageHandler: {
        custom_command: (m) => ({ type: 'custom_response', data: m['data'] }),
        '*': (m) => ({ type: 'fallback', original: m }),
      },
    });
    const client = await RawClient.open(url);
    client.sendJson({ type: 'custom_command', data: 'x' });
    client.sendJson({ type: 'other' });
    client.sendJson({ untyped: true });
    expect(await client.next()).toEqual({ type: 'custom_response', data: 'x' });
    expect(await client.next()).toEqual({ type: 'fallback', original: { type: 'other' } });
    expect(await client.next()).toEqual({ type: 'fallback', original: { untyped: true } });

    const { url: strictUrl } = await startServer({ messageHandler: { custom_command: () => ({ type: 'ok' }) } });
    const strict = await RawClient.open(strictUrl);
    strict.sendJson({ type: 'custom_comand' });
    expect(await strict.next()).toEqual({ type: 'error', error: 'Unknown message type: "custom_comand"', code: 'unknown_type' });
  });

  it('without a handler, messages still reach messages$ and nothing is sent back', async () => {
    const { server, url } = await startServer();
    const client = await RawClient.open(url);
    const received = nextValue(server.messages$);
    client.sendJson({ type: 'note' });
    expect((await received).message).toEqual({ type: 'note' });
    await server.sendMessage({ type: 'marker' });
    expect(await client.next()).toEqual({ type: 'marker' });
  });
});

describe('WebSocketServerTransport bad input', () => {
  it('answers invalid JSON with an error reply, reports it, and neither calls the handler nor emits on messages$', async () => {
    const handled: JsonObject[] = [];
    const { server, url } = await startServer({ messageHandler: (m) => void handled.push(m) });
    const client = await RawClient.open(url);
    const messages = nextValues(server.messages$, 1);
    const reported = nextValue(server.errors$);
    client.socket.send('{"type": "broken"');
    expect(await client.next()).toEqual({ type: 'error', error: 'Invalid JSON message', code: 'invalid_json' });
    expect((await reported).error).toBeInstanceOf(InvalidFrameError);
    client.sendJson({ type: 'fine' });
    expect((await messages).map((m) => m.message)).toEqual([{ type: 'fine' }]);
    expect(handled).toEqual([{ type: 'fine' }]);
  });

  it.each(['null', '42', '"text"', 'true', '[{"type":"x"}]'])('answers JSON that is not an object (%s) with not_an_object', async (text) => {
    const { url } = await startServer({ messageHandler: () => ({ type: 'should not happen' }) });
    const client = await RawClient.open(url);
    client.socket.send(text);
    expect(await client.next()).toEqual({ type: 'error', error: 'Message must be a JSON object', code: 'not_an_object' });
  });

  it('answers a binary frame with an error reply and keeps the connection (default binaryFrames: reject)', async () => {
    const { server, url } = await startServer({ messageHandler: () => ({ type: 'ok' }) });
    const client = await RawClient.open(url);
    const reported = nextValue(server.errors$);
    client.socket.send(Buffer.from('{"type":"in binary"}'));
    expect(await client.next()).toEqual({
      type: 'error',
      error: 'Binary frames are not supported; send JSON as text',
      code: 'binary_frame',
    });
    expect((await reported).error).toBeInstanceOf(InvalidFrameError);
    client.sendJson({});
    expect(await client.next()).toEqual({ type: 'ok' });
  });

  it('closes with 1003 on a binary frame with binaryFrames: close (after the error reply)', async () => {
    const { url } = await startServer({ binaryFrames: 'close' });
    const client = await RawClient.open(url);
    client.socket.send(new Uint8Array([1, 2, 3]));
    expect(await client.next()).toMatchObject({ type: 'error', code: 'binary_frame' });
    expect(await client.closed).toEqual({ code: CloseCode.UnsupportedData, reason: 'Binary frames are not supported' });
  });

  it('lets errorReply reshape error replies, or suppress them', async () => {
    const { url } = await startServer({
      errorReply: (problem) => (problem.kind === 'invalid_json' ? { jsonrpc: '2.0', error: { code: -32700, message: problem.message } } : undefined),
      messageHandler: (m) => (m['fail'] ? Promise.reject(new Error('x')) : { type: 'ok' }),
    });
    const client = await RawClient.open(url);
    client.socket.send('nope');
    client.sendJson({ fail: true });
    client.sendJson({ fail: false });
    expect(await client.next()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Invalid JSON message' } });
    expect(await client.next()).toEqual({ type: 'ok' });
  });

  it('closes a client that sends a message over maxMessageSize with 1009, reports it, and keeps serving the others', async () => {
    const { server, url } = await startServer({ maxMessageSize: 1024, messageHandler: (m) => ({ type: 'echo', n: m['n'] }) });
    const connected = nextValues(server.connections$, 2);
    const [offender, bystander] = [await RawClient.open(url), await RawClient.open(url)];
    const [offenderInfo] = await connected;
    const reported = nextValue(server.errors$, (e) => e.error instanceof MessageTooLargeError);
    const gone = nextValue(server.disconnections$);
    offender.sendJson({ n: 1, padding: 'x'.repeat(2000) });
    expect((await offender.closed).code).toBe(CloseCode.MessageTooBig);
    const event = await reported;
    expect(event.clientId).toBe(offenderInfo?.id);
    expect(event.error.code).toBe('message_too_large');
    expect(event.error.message).toContain('1024');
    expect(await gone).toMatchObject({ clientId: offenderInfo?.id, code: CloseCode.MessageTooBig });
    bystander.sendJson({ n: 2, padding: 'x'.repeat(900) });
    expect(await bystander.next()).toEqual({ type: 'echo', n: 2 });
    expect(server.getConnectedClients()).toBe(1);
  });

  it('rejects a maxMessageSize that is not positive', async () => {
    await expect(startServer({ maxMessageSize: 0 })).rejects.toThrow(RangeError);
  });
});

describe('WebSocketServerTransport subprotocol', () => {
  it("echoes 'mcp' when offered, among others or alone", async () => {
    const { url } = await startServer();
    expect((await RawClient.open(url, 'mcp')).socket.protocol).toBe('mcp');
    expect((await RawClient.open(url, ['other', 'mcp'])).socket.protocol).toBe('mcp');
  });

  it('accepts a client that offers no subprotocol, with none', async () => {
    const { server, url } = await startServer();
    const connected = nextValue(server.connections$);
    expect((await RawClient.open(url)).socket.protocol).toBe('');
    expect((await connected).protocol).toBe('');
  });

  it("selects none when the client offers only protocols the server does not speak; ws clients then abort", async () => {
    const { url } = await startServer();
    await expect(RawClient.open(url, 'graphql-ws')).rejects.toThrow('Server sent no subprotocol');
  });

  it('echoes the first of its own protocols the client offers, with protocols configured', async () => {
    const { url } = await startServer({ protocols: ['v2', 'v1'] });
    expect((await RawClient.open(url, ['v1', 'v2'])).socket.protocol).toBe('v2');
  });
});
