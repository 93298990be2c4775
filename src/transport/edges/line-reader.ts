import type { Readable } from 'node:stream';

/** What a {@link LineReader} hands on. */
export interface LineSink {
  /** One complete line, without its `\n` (or `\r\n`). */
  line(text: string): void;
  /** A line grew past the limit; it is not read further (the reader stops). */
  tooLong(bytes: number): void;
  /** The input ended or failed; nothing more comes. */
  end(error?: Error): void;
}

/**
 * Splits a byte stream into lines of at most `maxBytes`, as newline-delimited JSON needs. Unlike
 * `readline`, it stops at the limit rather than buffering a line of any size: a peer that never
 * sends a newline cannot grow the server's memory past `maxBytes`.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly onData = (chunk: Buffer | string): void => this.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onEnd = (): void => this.finish();
  private readonly onError = (error: Error): void => this.finish(error);

  constructor(
    private readonly input: Readable,
    private readonly maxBytes: number,
    private readonly sink: LineSink,
  ) {
    input.on('data', this.onData);
    input.once('end', this.onEnd);
    input.once('close', this.onEnd);
    input.once('error', this.onError);
  }

  /** Stops reading (and pauses the input, so a process whose stdin it was may exit); `end` is not called. */
  stop(): void {
    if (this.done) return;
    this.done = true;
    this.detach();
    this.input.pause();
  }

  private push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1 && !this.done; newline = chunk.indexOf(10, start)) {
      if (!this.take(chunk.subarray(start, newline))) return;
      this.emitLine();
      start = newline + 1;
    }
    if (start < chunk.length && !this.done) this.take(chunk.subarray(start));
  }

  /** Adds bytes to the line being read; false (and the reader stopped) when that passes the limit. */
  private take(bytes: Buffer): boolean {
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      const size = this.size;
      this.stop();
      this.sink.tooLong(size);
      return false;
    }
    if (bytes.length > 0) this.parts.push(bytes);
    return true;
  }

  private emitLine(): void {
    let text = Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    this.size = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.sink.line(text);
  }

  private finish(error?: Error): void {
    if (this.done) return;
    // A last line without its newline still counts.
    if (this.size > 0) this.emitLine();
    this.done = true;
    this.detach();
    this.sink.end(error);
  }

  private detach(): void {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onError);
  }
}
