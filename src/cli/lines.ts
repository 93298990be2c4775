import type { Readable, Writable } from 'node:stream';
import { Observable } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import { LineReader } from '../transport/edges/line-reader.js';

/** One line of a newline-delimited stream, or a line too long to keep (skipped; `bytes` of it had been read when it was cut). */
export type LineEvent = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'oversize'; readonly bytes: number };

/**
 * The lines of a byte stream (MCP's stdio framing) as an Observable, over the transport's
 * {@link LineReader}: a line longer than `maxLineBytes` is reported as `oversize` and skipped, so a
 * runaway writer cannot fill memory. Completes when the stream ends; errors when it fails.
 */
export function readLines(stream: Readable, maxLineBytes: number): Observable<LineEvent> {
  return new Observable<LineEvent>((subscriber) => {
    const reader = new LineReader(stream, maxLineBytes, {
      line: (text) => subscriber.next({ kind: 'line', text }),
      tooLong: (bytes) => subscriber.next({ kind: 'oversize', bytes }),
      end: (error) => (error ? subscriber.error(error) : subscriber.complete()),
    });
    return () => reader.stop();
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
