/**
 * The event stream decoder behind SimpleMCPClient's Streamable HTTP: the parts of the WHATWG
 * event-stream format MCP servers use (data, id, event, retry, comments, every line ending), and
 * that the events do not depend on how the bytes were cut into pieces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, EventTooLargeError, readEventStream, type ServerSentEvent } from '../../../src/mcp/client/channels/server-sent-events.js';

function decodeAll(pieces: readonly string[], limit = 1 << 20): ServerSentEvent[] {
  const decoder = new EventStreamDecoder(limit);
  return pieces.flatMap((piece) => decoder.push(piece));
}

describe('EventStreamDecoder', () => {
  it('reads the events MCP servers send: numbered messages, a priming event without data, keep-alive comments', () => {
    const stream = ':\n\nid: r1_0\nretry: 1000\ndata: \n\n: keepalive\n\nid: r1_1\nevent: message\ndata: {"jsonrpc":"2.0","method":"x"}\n\n';
    expect(decodeAll([stream])).toEqual([
      { id: 'r1_0', data: '', retry: 1000 },
      { id: 'r1_1', event: 'message', data: '{"jsonrpc":"2.0","method":"x"}' },
    ]);
  });

  it('joins data lines with a newline and strips one leading space only', () => {
    expect(decodeAll(['data:a\ndata:  b\ndata\n\n'])).toEqual([{ data: 'a\n b\n' }]);
  });

  it('ends lines with CR, LF or CRLF, a CR at the end of a piece waiting to see whether an LF follows', () => {
    expect(decodeAll(['data: one\r', '\ndata: two\r\r', 'data: three\n\n'])).toEqual([{ data: 'one\ntwo' }, { data: 'three' }]);
  });

  it('drops an unfinished event at the end, ignores unknown fields, ids with NUL and retry values that are not digits', () => {
    const decoder = new EventStreamDecoder(1000);
    expect(decoder.push('foo: bar\nid: a\0b\nretry: 1.5\ndata: kept\n\ndata: never finished')).toEqual([{ data: 'kept' }]);
  });

  it('skips a byte-order mark at the start of the stream only', () => {
    expect(decodeAll(['\uFEFFdata: a\n\n', '\uFEFFdata: b\n\n'])).toEqual([{ data: 'a' }]);
  });

  it('refuses an event longer than its limit, even one that never ends its line', () => {
    const decoder = new EventStreamDecoder(100);
    expect(() => decoder.push(`data: ${'x'.repeat(200)}`)).toThrow(EventTooLargeError);
    const lines = new EventStreamDecoder(100);
    expect(() => lines.push('data: 0123456789\n'.repeat(10))).toThrow(EventTooLargeError);
  });

  it('gives the same events however the text is cut into pieces', () => {
    const field = fc.constantFrom('data', 'id', 'event', 'retry', ':comment');
    const value = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', '{', '"', 'é', '1') });
    const ending = fc.constantFrom('\n', '\r', '\r\n');
    const line = fc.tuple(field, value, ending).map(([name, text, end]) => `${name}: ${text}${end}`);
    const block = fc.tuple(fc.array(line, { maxLength: 4 }), ending).map(([lines, end]) => lines.join('') + end);
    fc.assert(
      fc.property(fc.array(block, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (blocks, cuts) => {
        const text = blocks.join('');
        const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...positions, text.length].slice(1).map((end, index, ends) => text.slice(index === 0 ? 0 : ends[index - 1], end));
        expect(decodeAll(pieces)).toEqual(decodeAll([text]));
      }),
    );
  });
});

describe('readEventStream', () => {
  const body = (chunks: readonly string[]): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });

  it('decodes UTF-8 split inside a character, and stops when told', async () => {
    const bytes = new TextEncoder().encode('data: é\n\ndata: second\n\ndata: third\n\n');
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    const seen: (string | undefined)[] = [];
    await readEventStream(split, 1000, (event) => {
      seen.push(event.data);
      return event.data === 'second';
    });
    expect(seen).toEqual(['é', 'second']);
  });

  it('resolves at the end of the body', async () => {
    const seen: ServerSentEvent[] = [];
    await readEventStream(body(['id: 1\n', 'data: x\n\n']), 1000, (event) => {
      seen.push(event);
      return false;
    });
    expect(seen).toEqual([{ id: '1', data: 'x' }]);
  });
});
