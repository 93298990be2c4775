/**
 * The dashboard's live feed read as a plain `ws` client: every JSON frame kept from the moment the
 * socket opens, and `until(predicate)` waits for the first one that matches (the feed is a stream
 * of snapshots, so tests wait for the state they expect, never for a fixed time).
 */
import { request } from 'node:http';
import { filter, firstValueFrom, ReplaySubject, skip } from 'rxjs';
import { WebSocket, type ClientOptions } from 'ws';
import { track } from '../support/resources.js';
import { textOf, within } from '../support/sockets.js';

/** A frame of the feed: `hello`, `snapshot` or `events`. */
export type FeedFrame = Record<string, unknown> & { readonly type: string };

/** What a snapshot holds, as far as the specs read it. */
export interface Snapshot extends FeedFrame {
  readonly clients: { readonly count: number; readonly listed: readonly { id: string; protocol: string; messagesIn: number; messagesOut: number; address: string }[] };
  readonly traffic: { readonly messagesIn: number; readonly messagesOut: number };
  readonly closeCodes: Record<string, number>;
  readonly slow: readonly { clientId: string }[];
  readonly cluster?: { readonly bus: string; readonly nodes: readonly { nodeId: string; clients: number; self: boolean }[] };
  readonly panels: Record<string, unknown>;
}

export class FeedClient {
  private readonly frames = new ReplaySubject<FeedFrame>();
  /** Every frame so far, in order. */
  readonly received: FeedFrame[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(textOf(data)) as FeedFrame;
      this.received.push(frame);
      this.frames.next(frame);
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  }

  /** Opens the feed at `url` (`ws://…/dashboard/live`) and waits until it is open. */
  static async open(url: string, options?: ClientOptions): Promise<FeedClient> {
    const client = track(new FeedClient(new WebSocket(url, options)), async (opened) => {
      opened.socket.terminate();
      await opened.closed;
    });
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', resolve);
      client.socket.once('error', reject);
    });
    return client;
  }

  /** The first frame (from the start of the feed) that matches. */
  until<T extends FeedFrame>(what: string, predicate: (frame: FeedFrame) => frame is T): Promise<T>;
  until(what: string, predicate: (frame: FeedFrame) => boolean): Promise<FeedFrame>;
  until(what: string, predicate: (frame: FeedFrame) => boolean): Promise<FeedFrame> {
    return firstValueFrom(this.frames.pipe(filter(predicate), within(what)));
  }

  /** The first snapshot from now on (not one already received) that satisfies `test`. */
  nextSnapshot(what: string, test: (snapshot: Snapshot) => boolean = () => true): Promise<Snapshot> {
    const isMatch = (frame: FeedFrame): frame is Snapshot => frame.type === 'snapshot' && test(frame as Snapshot);
    return firstValueFrom(this.frames.pipe(skip(this.received.length), filter(isMatch), within(what)));
  }

  /** The first snapshot (from the start of the feed) that satisfies `test`. */
  snapshot(what: string, test: (snapshot: Snapshot) => boolean): Promise<Snapshot> {
    return this.until(what, (frame): frame is Snapshot => frame.type === 'snapshot' && test(frame as Snapshot));
  }

  /** The first event (in an `events` or `hello` frame) that satisfies `test`. */
  async event(what: string, test: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const frame = await this.until(what, (f) => (f.type === 'events' || f.type === 'hello') && eventsOf(f).some(test));
    return eventsOf(frame).find(test) ?? {};
  }
}

function eventsOf(frame: FeedFrame): Record<string, unknown>[] {
  return Array.isArray(frame['events']) ? (frame['events'] as Record<string, unknown>[]) : [];
}

/** A plain HTTP GET with headers of our choosing (fetch cannot set Host): status, headers and body. */
export function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status of an upgrade to `url`: 101 when accepted (then closed), else the HTTP status and body. */
export function upgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options);
    socket.on('open', () => {
      socket.terminate();
      resolve({ status: 101, body: '' });
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
        socket.terminate();
      });
      response.on('error', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.on('error', () => resolve({ status: -1, body: '' }));
  });
}
