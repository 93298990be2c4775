import type { OutgoingHttpHeaders } from 'node:http';
import type { CloseInfo, PeerLink, Related } from '../edge.js';
import type { HttpResponse } from './exchange.js';
import { ResponseStream, STANDALONE, type EventLog } from './response-stream.js';

/** What a link tells its edge: it ended (closed by the server, deleted by the client, or idle too long). */
export type LinkEnded = (link: PeerLink, info: CloseInfo) => void;

const textOf = (data: string | Buffer): string => (typeof data === 'string' ? data : data.toString('utf8'));

/**
 * One HTTP session as a peer of the server: its requests' response streams, by request key, and
 * its standalone stream (the client's GET). What the server writes for a request goes on that
 * request's stream; everything else (broadcasts, notifications of no request) on the standalone
 * stream, and is logged for `Last-Event-ID` when none is open.
 */
export class HttpSessionLink implements PeerLink {
  readonly protocol = '';
  /** Scheduler time of the session's last request, for the idle timeout. */
  lastSeen: number;
  private readonly streams = new Map<string, ResponseStream>();
  /** Streams of this session by stream id, ended ones too, while their events may still be asked for. */
  private readonly byStreamId = new Map<string, ResponseStream>();
  private standalone: ResponseStream | undefined;
  private nextStream = 0;
  private open = true;
  private listened = false;

  constructor(
    readonly sessionId: string,
    private readonly headers: OutgoingHttpHeaders,
    private readonly log: EventLog,
    now: number,
    private readonly ended: LinkEnded,
    /**
     * Keep what is written for no request only once the client has listened on this node: in a
     * cluster the node holding the session's GET stream delivers it, and the others must not keep
     * a copy that a later GET here would replay a second time.
     */
    private readonly onlyHeard = false,
  ) {
    this.lastSeen = now;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Whether a request of this session still waits for its reply, or its standalone stream is open. */
  get hasOpenStreams(): boolean {
    return this.streams.size > 0 || this.standalone?.connected === true;
  }

  /** Whether the client's GET stream is open on this link. */
  get isListening(): boolean {
    return this.standalone?.connected === true;
  }

  get bufferedAmount(): number {
    let bytes = this.standalone?.bufferedAmount ?? 0;
    for (const stream of this.streams.values()) bytes += stream.bufferedAmount;
    return bytes;
  }

  /** A request arrived on `response`: its replies go there. */
  expect(requestKey: string, response: HttpResponse): void {
    const streamId = `r${(this.nextStream += 1)}`;
    const stream = new ResponseStream(this.logKey(streamId), streamId, this.log, this.headers, response);
    this.streams.set(requestKey, stream);
    this.byStreamId.set(streamId, stream);
  }

  /**
   * The client's GET: the standalone stream continues on `response`. The first GET starts with what
   * was sent on it before (a list change between `initialize` and the GET is not lost); a later
   * one without `Last-Event-ID` continues from now. False when one is open already.
   */
  listen(response: HttpResponse): boolean {
    const stream = this.standaloneStream();
    if (stream.connected) return false;
    const first = !this.listened;
    this.listened = true;
    if (!(first && stream.resume(response, 0))) stream.reconnect(response);
    return true;
  }

  /**
   * A GET with `Last-Event-ID`: the stream it names continues on `response`, after replaying what
   * came after that event. False when the stream is unknown or its log no longer reaches back.
   */
  resume(streamId: string, after: number, response: HttpResponse): boolean {
    const stream = streamId === STANDALONE ? this.standaloneStream() : this.byStreamId.get(streamId);
    return stream?.resume(response, after) === true;
  }

  write(data: string | Buffer, written?: (error?: Error) => void, related?: Related): void {
    const text = textOf(data);
    const stream = related ? this.streams.get(related.request) : undefined;
    if (stream && related) {
      if (related.final) this.streams.delete(related.request);
      stream.send(text, related.final, written);
      return;
    }
    if (this.onlyHeard && !this.listened) {
      written?.();
      return;
    }
    this.standaloneStream().send(text, false, written);
  }

  settle(requestKey: string): void {
    const stream = this.streams.get(requestKey);
    if (!stream) return;
    this.streams.delete(requestKey);
    stream.close();
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    for (const stream of this.byStreamId.values()) stream.close();
    this.standalone?.close();
    this.streams.clear();
    for (const streamId of [...this.byStreamId.keys(), STANDALONE]) this.log.store.delete(this.logKey(streamId));
    this.byStreamId.clear();
    this.ended(this, { code, reason });
  }

  terminate(): void {
    this.close(1006, '');
  }

  private logKey(streamId: string): string {
    return `${this.sessionId}/${streamId}`;
  }

  /** One standalone stream for the session's life, so that its event ids keep counting up across GETs. */
  private standaloneStream(): ResponseStream {
    this.standalone ??= new ResponseStream(this.logKey(STANDALONE), STANDALONE, this.log, this.headers);
    return this.standalone;
  }
}

/**
 * One request without a session (the 2026-07-28 revision's stateless requests): a peer for as long
 * as the request takes. Its replies go on its response; once the final one is out, the peer leaves.
 */
export class OneShotLink implements PeerLink {
  readonly protocol = '';
  private stream: ResponseStream | undefined;
  private open = true;

  constructor(
    private readonly headers: OutgoingHttpHeaders,
    private readonly ended: LinkEnded,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  get bufferedAmount(): number {
    return this.stream?.bufferedAmount ?? 0;
  }

  /** The request's response; replies of no request have nowhere to go and are dropped. */
  expect(response: HttpResponse): void {
    this.stream = new ResponseStream(undefined, 'r1', undefined, this.headers, response);
    // The client gave up on its response: nothing more can reach it.
    response.once('close', () => {
      if (this.stream?.isEnded !== true) this.close(1001, 'The client went away');
    });
  }

  write(data: string | Buffer, written?: (error?: Error) => void, related?: Related): void {
    if (!related || !this.stream) {
      written?.(new Error('A stateless request has no stream for this'));
      return;
    }
    this.stream.send(textOf(data), related.final, written);
    if (related.final) this.close(1000, '');
  }

  /** Its one request gets no reply: the response ends, and the peer with it. */
  settle(): void {
    this.close(1000, '');
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.stream?.close();
    this.ended(this, { code, reason });
  }

  terminate(): void {
    this.close(1006, '');
  }
}
