import type { Readable } from 'node:stream';

/** What a {@link LineReader} hands on. */
export interface LineSink {
  /** One complete line, without its `\n` (or `\r\n`). Blank lines are left out. */
  line(text: string): void;
  /** The current line passed `maxBytes` (`bytes` read of it so far): the rest of it is skipped, and reading goes on after it. */
  tooLong(bytes: number): void;
  /** The input ended or failed; nothing more comes. */
  end(error?: Error): void;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines of at most `maxBytes`: the framing of newline-delimited JSON
 * (MCP's stdio transport). Unlike `readline`, it never holds more than `maxBytes` of one line: a
 * line past the limit is reported at once and skipped to its end, so a peer that never sends a
 * newline cannot grow the reader's memory.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;
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
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1 && !this.done; newline = chunk.indexOf(NEWLINE, start)) {
      this.take(chunk.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
    if (start < chunk.length && !this.done) this.take(chunk.subarray(start));
  }

  /** Adds bytes to the line being read, unless it is being skipped or this passes the limit. */
  private take(bytes: Buffer): void {
    if (this.skipping || this.done) return;
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.skipping = true;
      this.parts = [];
      this.sink.tooLong(this.size);
      return;
    }
    if (bytes.length > 0) this.parts.push(bytes);
  }

  private endLine(): void {
    const { parts, size, skipping } = this;
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    if (skipping || this.done || size === 0) return;
    const text = Buffer.concat(parts, size).toString('utf8');
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.trim() !== '') this.sink.line(line);
  }

  private finish(error?: Error): void {
    if (this.done) return;
    // A last line without its newline still counts.
    this.endLine();
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
