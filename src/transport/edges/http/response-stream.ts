import type { OutgoingHttpHeaders } from 'node:http';
import type { ReplayStore } from '../../resume/replay-log.js';
import type { HttpResponse } from './exchange.js';

/** Where the events of a session's streams are kept, for a client that reconnects with `Last-Event-ID`. */
export interface EventLog {
  readonly store: ReplayStore;
  readonly now: () => number;
}

/** The stream id of a session's standalone stream (its GET), and the separator in event ids: `<stream>_<seq>`. */
export const STANDALONE = 'standalone';

/** A `Last-Event-ID` read back into its stream and position. */
export function parseEventId(value: string): { readonly stream: string; readonly seq: number } | undefined {
  const at = value.lastIndexOf('_');
  const seq = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { stream: value.slice(0, at), seq };
}

/**
 * The messages of one stream of an HTTP session: a request's replies on the response of its POST,
 * or the session's standalone stream (its GET). A request whose only message is its final reply is
 * answered with plain JSON; anything else becomes a server-sent event stream, each event numbered
 * (`<stream>_<seq>`) and kept in the session's event log so that a client that lost the stream can
 * pick it up again from where it was (`Last-Event-ID`), even on a new response.
 */
export class ResponseStream {
  private response: HttpResponse | undefined;
  private mode: 'pending' | 'json' | 'sse' = 'pending';
  private seq = 0;
  private ended = false;

  constructor(
    /** The log key of this stream: the session's id and the stream's. */
    private readonly logKey: string | undefined,
    readonly streamId: string,
    private readonly log: EventLog | undefined,
    private readonly headers: OutgoingHttpHeaders,
    /** The response to write to; none for a stream whose client has not connected yet. */
    response?: HttpResponse,
  ) {
    if (response) this.attach(response);
  }

  /** Whether a response is there to write to. */
  get connected(): boolean {
    return this.response !== undefined && !this.response.writableEnded;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Bytes written to the response but not yet sent. */
  get bufferedAmount(): number {
    return this.response?.writableLength ?? 0;
  }

  /** Writes one message; `final` ends the stream. A stream whose client went away still logs what it is sent. */
  send(data: string, final: boolean, written?: (error?: Error) => void): void {
    if (this.ended) {
      written?.(new Error('The stream has ended'));
      return;
    }
    if (final) this.ended = true;
    const response = this.response;
    if (this.mode === 'pending' && final && response && !response.headersSent) {
      this.mode = 'json';
      response.writeHead(200, { ...this.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      response.end(data);
      written?.();
      return;
    }
    this.seq += 1;
    const id = `${this.streamId}_${this.seq}`;
    if (this.log && this.logKey !== undefined) {
      this.log.store.append(this.logKey, { seq: this.seq, data, bytes: Buffer.byteLength(data), at: this.log.now() });
    }
    if (response && !response.writableEnded) {
      this.startEvents(response);
      response.write(event(id, data), (error) => written?.(error ?? undefined));
      if (final) response.end();
    } else {
      written?.();
    }
  }

  /**
   * Continues the stream on `response`, replaying what came after event `after` first. Returns
   * false when the log no longer reaches back that far.
   */
  resume(response: HttpResponse, after: number): boolean {
    const missed = this.log && this.logKey !== undefined ? this.log.store.since(this.logKey, after, this.log.now()) : after === this.seq ? [] : undefined;
    if (!missed) return false;
    this.detach();
    this.attach(response);
    this.startEvents(response);
    for (const entry of missed) response.write(event(`${this.streamId}_${entry.seq}`, entry.data));
    if (this.ended) response.end();
    return true;
  }

  /** Continues the stream on a new response, from now on (a standalone stream's next GET). */
  reconnect(response: HttpResponse): void {
    this.detach();
    this.attach(response);
    this.startEvents(response);
  }

  /** Ends the response (the stream itself may continue on another one). */
  detach(): void {
    const response = this.response;
    this.response = undefined;
    if (response && !response.writableEnded) {
      if (!response.headersSent) response.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream' });
      response.end();
    }
  }

  /** Ends the stream for good. */
  close(): void {
    this.ended = true;
    this.detach();
  }

  private attach(response: HttpResponse): void {
    this.response = response;
    response.once('close', () => {
      if (this.response === response) this.response = undefined;
    });
  }

  private startEvents(response: HttpResponse): void {
    if (response.headersSent) return;
    this.mode = 'sse';
    response.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // A comment line, so that the headers go out now: the client learns the stream is open.
    response.write(':\n\n');
  }
}

/** One server-sent event (JSON has no raw newlines, so one `data` line holds it). */
function event(id: string, data: string): string {
  return `id: ${id}\nevent: message\ndata: ${data}\n\n`;
}
