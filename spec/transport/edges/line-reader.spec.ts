/**
 * LineReader: however a pipe cuts the bytes, the same lines come out; a line past the limit is
 * reported once and skipped, and the lines after it still arrive.
 */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../../src/transport/edges/line-reader.js';

interface Read {
  readonly lines: string[];
  readonly tooLong: number[];
  readonly ended: Promise<Error | undefined>;
}

function read(chunks: readonly Buffer[], maxBytes: number): Read {
  const input = new PassThrough();
  const lines: string[] = [];
  const tooLong: number[] = [];
  const ended = new Promise<Error | undefined>((resolve) => {
    new LineReader(input, maxBytes, { line: (text) => lines.push(text), tooLong: (bytes) => tooLong.push(bytes), end: resolve });
  });
  for (const chunk of chunks) input.write(chunk);
  input.end();
  return { lines, tooLong, ended };
}

/** Cuts `bytes` at the given offsets (taken modulo its length). */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const at = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length)).filter((piece) => piece.length > 0);
}

// Lines as JSON text is: no raw newline inside, any other character (multi-byte UTF-8 too).
const lineText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\n') && !s.endsWith('\r') && s.trim() !== '');

describe('LineReader', () => {
  it('yields the same lines however the bytes are cut, with \\n or \\r\\n endings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(lineText, fc.boolean()), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), async (entries, offsets) => {
        const bytes = Buffer.from(entries.map(([text, crlf]) => `${text}${crlf ? '\r\n' : '\n'}`).join(''));
        const result = read(cut(bytes, offsets), 1024);
        expect(await result.ended).toBeUndefined();
        expect(result.lines).toEqual(entries.map(([text]) => text));
        expect(result.tooLong).toEqual([]);
      }),
    );
  });

  it('reports a line past the limit once, skips it to its end, and reads on', async () => {
    const result = read([Buffer.from('short\n'), Buffer.from('x'.repeat(30)), Buffer.from('y'.repeat(30)), Buffer.from('z\nafter\n')], 40);
    await result.ended;
    expect(result.lines).toEqual(['short', 'after']);
    expect(result.tooLong).toEqual([60]);
  });

  it('counts a last line without a newline, and leaves blank lines out', async () => {
    const result = read([Buffer.from('\n  \none\n\r\ntwo')], 100);
    await result.ended;
    expect(result.lines).toEqual(['one', 'two']);
  });

  it('reports a failing input through end(error)', async () => {
    const input = new PassThrough();
    const ended = new Promise<Error | undefined>((resolve) => {
      new LineReader(input, 10, { line: () => undefined, tooLong: () => undefined, end: resolve });
    });
    input.destroy(new Error('pipe broke'));
    expect((await ended)?.message).toBe('pipe broke');
  });
});
