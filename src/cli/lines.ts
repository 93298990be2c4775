import type { Readable, Writable } from 'node:stream';
import { Observable } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';

/** One line of a newline-delimited stream, or a line too long to keep (dropped, with its size). */
export type LineEvent = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'oversize'; readonly bytes: number };

const NEWLINE = 0x0a;

/**
 * The lines of a byte stream (MCP's stdio framing: one JSON-RPC message per line, `\n` or `\r\n`),
 * as they arrive. A line longer than `maxLineBytes` is not buffered: it is skipped up to its end and
 * reported as `oversize`, so a runaway writer cannot fill memory. Empty lines are left out. A last
 * line without a newline counts when the stream ends. Completes when the stream ends; errors when
 * it fails.
 */
export function readLines(stream: Readable, maxLineBytes: number): Observable<LineEvent> {
  return new Observable<LineEvent>((subscriber) => {
    let parts: Buffer[] = [];
    let size = 0;
    let skipping = false;

    const endLine = (): void => {
      if (skipping) {
        subscriber.next({ kind: 'oversize', bytes: size });
      } else if (size > 0) {
        const text = Buffer.concat(parts, size).toString('utf8');
        const line = text.endsWith('\r') ? text.slice(0, -1) : text;
        if (line.trim() !== '') subscriber.next({ kind: 'line', text: line });
      }
      parts = [];
      size = 0;
      skipping = false;
    };
    const take = (piece: Buffer): void => {
      size += piece.length;
      if (skipping) return;
      if (size > maxLineBytes) {
        skipping = true;
        parts = [];
        return;
      }
      parts.push(piece);
    };
    const onData = (chunk: Buffer | string): void => {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE)) {
        take(bytes.subarray(0, at));
        endLine();
        bytes = bytes.subarray(at + 1);
      }
      if (bytes.length > 0) take(bytes);
    };
    const onEnd = (): void => {
      endLine();
      subscriber.complete();
    };
    const onError = (error: Error): void => subscriber.error(error);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    return () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
  });
}

/** Writes one message as a line of JSON. Returns `false` when the stream asks the writer to wait (`drain`). */
export function writeJsonLine(stream: Writable, message: JsonObject): boolean {
  return stream.write(`${JSON.stringify(message)}\n`);
}

/** Resolves once everything written to `stream` so far has been handed to the system (or the stream failed). */
export function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
