import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { filter, interval, map, Subscription } from 'rxjs';
import type { HttpRoutes, UpgradeRoutes } from '../observability/http-routes.js';
import { accessOf, sameOrigin } from './dashboard-access.js';
import type { DashboardEvent, ResolvedDashboard } from './dashboard-options.js';
import { DashboardSampler } from './dashboard-snapshot.js';
import type { DashboardSource } from './dashboard-source.js';
import { dashboardEvents, DashboardTally } from './dashboard-tally.js';
import { DashboardViewers } from './dashboard-viewers.js';
import { dashboardAssets, type PageAsset } from './page/assets.js';

/** Events the log keeps, and the most a page is sent in one batch. */
export const RECENT_EVENTS = 100;
/** How often new events go out to the pages, ms: many events in a burst make one frame. */
export const EVENT_FLUSH_MS = 250;

/** An event as the page gets it: when it happened, and what. */
type EventRecord = DashboardEvent & { readonly at: number };

/**
 * The admin page and its live feed, on the transport's own listener. The feed is composed from the
 * server's Observables: a snapshot each `sampleMs` (encoded once for every page), and the event log
 * in batches; both bounded, whatever the server's load or the number of pages.
 */
export class Dashboard {
  private readonly tally = new DashboardTally();
  private readonly viewers: DashboardViewers;
  private readonly assets: ReadonlyMap<string, PageAsset>;
  private readonly livePath: string;
  private readonly recent: EventRecord[] = [];
  /** Events added to `recent` since the last batch went out. */
  private unsent = 0;
  private sampler: DashboardSampler | undefined;
  private latest: Record<string, unknown> | undefined;
  private running: Subscription | undefined;

  constructor(
    private readonly options: ResolvedDashboard,
    /** Read once, at start: the transport's streams are all made by then. */
    private readonly source: () => DashboardSource,
  ) {
    this.viewers = new DashboardViewers(options.maxViewers);
    this.assets = dashboardAssets(options.path);
    this.livePath = `${options.path}/live`;
  }

  /** Starts watching the server; the page's history begins here. */
  start(): void {
    if (this.running) return;
    const source = this.source();
    const { scheduler } = source;
    const sampler = new DashboardSampler(source, this.tally, this.options.panels);
    this.sampler = sampler;
    this.latest = sampler.sample();
    const running = new Subscription();
    running.add(this.tally.watch(source));
    running.add(
      interval(this.options.sampleMs, scheduler)
        .pipe(
          map(() => (this.latest = sampler.sample())),
          filter(() => this.viewers.size > 0),
        )
        .subscribe((snapshot) => this.viewers.send(JSON.stringify(snapshot))),
    );
    running.add(dashboardEvents(source, this.options.panels).subscribe((event) => this.remember({ ...event, at: scheduler.now() })));
    running.add(
      interval(EVENT_FLUSH_MS, scheduler)
        .pipe(
          filter(() => this.unsent > 0),
          map(() => this.takeUnsent()),
          filter(() => this.viewers.size > 0),
        )
        .subscribe((batch) => this.viewers.send(JSON.stringify(batch))),
    );
    this.running = running;
  }

  /** Stops watching and closes every page's feed (1001). */
  stop(): void {
    this.running?.unsubscribe();
    this.viewers.close();
  }

  /** Viewers dropped for not reading their feed fast enough. */
  get droppedViewers(): number {
    return this.viewers.dropped;
  }

  /** The page, its style and script: behind the access rule; other paths under it get 404. */
  readonly routes: HttpRoutes = (request, response) => {
    const pathname = pathOf(request);
    if (!this.owns(pathname)) return false;
    void accessOf(request, this.options).then((access) => {
      if (!access.allowed) return answer(response, access.status, access.body);
      if (pathname === this.livePath) return answer(response, 426, "Upgrade Required: this is the dashboard's live WebSocket");
      const asset = this.assets.get(pathname);
      if (!asset) return answer(response, 404, 'Not Found');
      if (request.method !== 'GET' && request.method !== 'HEAD') return answer(response, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
      response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.type, 'Content-Length': Buffer.byteLength(asset.body) });
      response.end(request.method === 'HEAD' ? undefined : asset.body);
    });
    return true;
  };

  /** The live feed's upgrade, taken before the transport's: same origin, the access rule, a free viewer place. */
  readonly upgrades: UpgradeRoutes = (request, socket, head) => {
    const pathname = pathOf(request);
    if (!this.owns(pathname)) return false;
    socket.on('error', () => socket.destroy());
    if (pathname !== this.livePath) return refuse(socket, 404, 'Not Found');
    if (!sameOrigin(request)) return refuse(socket, 403, "Forbidden: the dashboard's live feed serves only pages from this server's own origin");
    void accessOf(request, this.options).then((access) => {
      if (!access.allowed) return refuse(socket, access.status, access.body);
      if (!this.running || this.running.closed) return refuse(socket, 503, 'Service Unavailable: the server is not serving');
      if (this.viewers.full) return refuse(socket, 503, 'Service Unavailable: too many dashboard viewers (dashboard.maxViewers)');
      if (!socket.destroyed) this.viewers.accept(request, socket, head, () => this.hello());
      return true;
    });
    return true;
  };

  private owns(pathname: string): boolean {
    return pathname === this.options.path || pathname.startsWith(`${this.options.path}/`);
  }

  /** What a new page is sent first: the history for its charts, the recent events, the latest snapshot. */
  private hello(): string {
    return JSON.stringify({ type: 'hello', sampleMs: this.options.sampleMs, history: this.sampler?.history ?? [], events: this.recent, snapshot: this.latest });
  }

  private remember(record: EventRecord): void {
    this.recent.push(record);
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
    this.unsent++;
  }

  private takeUnsent(): { type: 'events'; events: EventRecord[]; dropped: number } {
    const sent = Math.min(this.unsent, this.recent.length);
    const batch = { type: 'events' as const, events: this.recent.slice(this.recent.length - sent), dropped: this.unsent - sent };
    this.unsent = 0;
    return batch;
  }
}

/** What every dashboard response carries: no caching, no framing, nothing loaded from elsewhere. */
const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0] ?? '/';
}

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** Answers an upgrade with an HTTP status instead, and closes its socket. */
function refuse(socket: Duplex, status: number, body: string): true {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
    );
  }
  socket.once('finish', () => socket.destroy());
  return true;
}
