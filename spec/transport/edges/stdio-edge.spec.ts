/**
 * The stdio edge on in-process streams (the same Readable/Writable a process's stdin and stdout
 * are): one peer, one JSON message per line, and every way it can end.
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { firstValueFrom, toArray, take } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServerTransport, type ClientConnection, type MessageHandler, type ServerTransportOptions } from '../../../src/transport/index.js';
import { MessageTooLargeError } from '../../../src/transport/errors.js';
import { StdioEdge } from '../../../src/transport/edges/stdio-edge.js';
import { closeAll, track } from '../../support/resources.js';
import { startClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

interface Wired {
  readonly server: WebSocketServerTransport;
  readonly edge: StdioEdge;
  readonly input: PassThrough;
  /** Each line written to the output, parsed. */
  readonly lines: unknown[];
}

const echo: MessageHandler<ClientConnection> = (message) => ({ type: 'echo', original: message });

async function wired(options: ServerTransportOptions = {}, maxMessageSize?: number): Promise<Wired> {
  const server = track(new WebSocketServerTransport({ logger: false, heartbeat: false, messageHandler: echo, ...options }), (s) => s.stop());
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: unknown[] = [];
  createInterface({ input: output }).on('line', (line) => lines.push(JSON.parse(line)));
  const edge = new StdioEdge({ input, output, ...(maxMessageSize === undefined ? {} : { maxMessageSize }) });
  await server.attach(edge);
  return { server, edge, input, lines };
}

describe('StdioEdge', () => {
  it('serves one peer without start(): a message per line, split or joined however the pipe delivers them', async () => {
    const { server, input, lines } = await wired();
    expect(server.getConnectedClients()).toBe(1);
    input.write('{"type":"a","n":');
    input.write('1}\n\n   \n{"type":"b"}\r\n{"type":"c"}\n');
    await expect.poll(() => lines.length).toBe(3);
    expect(lines).toEqual([
      { type: 'echo', original: { type: 'a', n: 1 } },
      { type: 'echo', original: { type: 'b' } },
      { type: 'echo', original: { type: 'c' } },
    ]);
  });

  it('answers a malformed line with an error reply and keeps reading', async () => {
    const { input, lines } = await wired();
    input.write('{oops\n{"type":"after"}\n');
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).toMatchObject({ type: 'error' });
    expect(lines[1]).toEqual({ type: 'echo', original: { type: 'after' } });
  });

  it('counts a last line without its newline when the input ends', async () => {
    const { server, input, lines, edge } = await wired();
    input.end('{"type":"last"}');
    expect(await edge.ended).toEqual({ code: 1000, reason: 'Input ended' });
    expect(lines).toEqual([{ type: 'echo', original: { type: 'last' } }]);
    expect(server.getConnectedClients()).toBe(0);
  });

  it('ends the peer with 1009 on a line over maxMessageSize without buffering the rest', async () => {
    const { server, input, lines, edge } = await wired({}, 64);
    const errors = firstValueFrom(server.errors$.pipe(take(1)));
    const gone = firstValueFrom(server.disconnections$);
    input.write('{"type":"fine"}\n');
    await expect.poll(() => lines.length).toBe(1);
    input.write(`{"type":"big","pad":"${'x'.repeat(100)}`);
    expect(await edge.ended).toEqual({ code: 1009, reason: 'Message too big' });
    expect((await errors).error).toBeInstanceOf(MessageTooLargeError);
    expect((await gone).code).toBe(1009);
    // Nothing is read any more: the rest of the line, and what follows, go nowhere.
    input.write('"}\n{"type":"ignored"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
  });

  it('is closed with 1001 by stop(), beside a WebSocket client on the same server', async () => {
    const { server, url } = await startServer({ messageHandler: echo });
    const input = new PassThrough();
    const output = new PassThrough();
    const edge = new StdioEdge({ input, output });
    await server.attach(edge);
    const client = await startClient(url);
    expect(server.getConnectedClients()).toBe(2);
    const ids = server.getClients().map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
    const counts = firstValueFrom(server.clientCount$.pipe(take(3), toArray()));
    await server.stop();
    expect(await edge.ended).toMatchObject({ code: 1001 });
    expect(await counts).toEqual([2, 1, 0]);
    expect(client.state).not.toBe('open');
    // The streams stay the process's: the edge never ends them.
    expect(output.writableEnded).toBe(false);
    expect(input.readableEnded).toBe(false);
  });

  it('broadcasts reach the stdio peer too', async () => {
    const { server, lines } = await wired();
    expect(await server.broadcastNotification({ event: 'hello' })).toBe(1);
    await expect.poll(() => lines).toEqual([{ event: 'hello', type: 'notification' }]);
  });
});
