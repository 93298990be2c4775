/**
 * One event of a `text/event-stream` body: the fields its block set. A block with an `id` but no
 * `data` still counts: servers send one to give the client a position to resume from (the MCP
 * SDK's "priming" event) before anything else.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface ServerSentEvent {
  /** The block's `id` field, when it had one (an id containing NUL is ignored, as the standard says). */
  readonly id?: string;
  /** The block's `event` field; a missing one means `message`. */
  readonly event?: string;
  /** The `data` lines joined with `\n`; `undefined` when the block had none. */
  readonly data?: string;
  /** The block's `retry` field: how long to wait before reconnecting, ms. */
  readonly retry?: number;
}

/** An event grew past the decoder's limit. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
}

interface Block {
  id?: string;
  event?: string;
  data?: string[];
  retry?: number;
}

/**
 * Turns the text of an event stream, in whatever pieces it arrives, into events: lines end with
 * CR, LF or CRLF (a CR at the end of a piece waits for the next one, in case an LF follows), a
 * blank line ends a block, lines starting with `:` are comments (keep-alives), and a block left
 * unfinished when the stream ends is dropped. One block's text is bounded by `maxEventLength`
 * characters, so a server that never ends a line cannot fill the memory.
 */
export class EventStreamDecoder {
  private buffer = '';
  /** How far `buffer` is known to hold no line end: a long line arriving in many pieces is scanned once. */
  private scanned = 0;
  private block: Block = {};
  /** Characters of the current block so far. */
  private blockLength = 0;
  private started = false;

  constructor(private readonly maxEventLength: number) {}

  /** Decodes the next piece of text; returns the events it completed. Throws `EventTooLargeError` past the limit. */
  push(text: string): ServerSentEvent[] {
    this.buffer += this.started ? text : this.skipByteOrderMark(text);
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = lineEnd(this.buffer, this.scanned);
      if (end === undefined) break;
      const line = this.buffer.slice(0, end.at);
      this.buffer = this.buffer.slice(end.at + end.length);
      this.scanned = 0;
      const event = this.line(line);
      if (event) events.push(event);
    }
    // A CR last may still be half of a CRLF: look at it again with the next piece.
    this.scanned = Math.max(0, this.buffer.length - 1);
    if (this.blockLength + this.buffer.length > this.maxEventLength) {
      throw new EventTooLargeError(`An event of the stream is longer than ${this.maxEventLength} characters`);
    }
    return events;
  }

  private skipByteOrderMark(text: string): string {
    if (text === '') return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    this.blockLength += line.length + 1;
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    const value = raw.startsWith(' ') ? raw.slice(1) : raw;
    switch (field) {
      case 'data':
        (this.block.data ??= []).push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.block.id = value;
        break;
      case 'event':
        this.block.event = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.block.retry = Number(value);
        break;
      default:
      // Unknown fields are ignored.
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const { id, event, data, retry } = this.block;
    this.block = {};
    this.blockLength = 0;
    if (id === undefined && event === undefined && data === undefined && retry === undefined) return undefined;
    return {
      ...(id === undefined ? {} : { id }),
      ...(event === undefined ? {} : { event }),
      ...(data === undefined ? {} : { data: data.join('\n') }),
      ...(retry === undefined ? {} : { retry }),
    };
  }
}

/** Where the first line of `text` ends (looking from `from`), if it does yet: a CR as the very last character may be half of a CRLF. */
function lineEnd(text: string, from: number): { readonly at: number; readonly length: number } | undefined {
  for (let at = from; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 10) return { at, length: 1 };
    if (code === 13) {
      if (at + 1 === text.length) return undefined;
      return { at, length: text.charCodeAt(at + 1) === 10 ? 2 : 1 };
    }
  }
  return undefined;
}

/**
 * Reads an event stream body to its end, handing each event to `onEvent`; stops early (and
 * cancels the body) when `onEvent` returns true. Rejects when the body breaks (a network error,
 * an abort) or an event is too long.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, maxEventLength: number, onEvent: (event: ServerSentEvent) => boolean): Promise<void> {
  const decoder = new EventStreamDecoder(maxEventLength);
  const text = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      for (const event of decoder.push(text.decode(chunk.value, { stream: true }))) {
        if (onEvent(event)) return;
      }
    }
  } finally {
    // Lets the connection go when we stop early; after the end or an error it does nothing.
    reader.cancel().catch(() => undefined);
  }
}
