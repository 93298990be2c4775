import type { IncomingMessage } from 'node:http';
import { interval, Subscription, type SchedulerLike } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTextFrame, type JsonObject } from '../../../protocol/index.js';
import { newSessionToken } from '../../resume/session-resumption.js';
import { redactCredentials, type AuthInfo } from '../../security/authenticate.js';
import type { UpgradeGuard } from '../../security/upgrade-guard.js';
import type { ReplyProblem } from '../../server/error-reply.js';
import type { CloseInfo, EdgeHost, PeerArrival, PeerLink } from '../edge.js';
import { accepts, headerOf, readBody, respondJson, respondText, type HttpRequest, type HttpResponse } from './exchange.js';
import { HttpSessionLink, OneShotLink } from './http-links.js';
import { parseEventId, type EventLog } from './response-stream.js';

/** What goes wrong with an HTTP request before any message reaches the server, by status. */
export type HttpProblem =
  | 'session_required' // 400
  | 'session_not_found' // 404
  | 'not_acceptable' // 406
  | 'unsupported_media_type' // 415
  | 'too_large' // 413
  | 'conflict' // 409
  | 'bad_event_id' // 400
  | 'unavailable'; // 503

const STATUS: Record<HttpProblem, number> = {
  session_required: 400,
  session_not_found: 404,
  not_acceptable: 406,
  unsupported_media_type: 415,
  too_large: 413,
  conflict: 409,
  bad_event_id: 400,
  unavailable: 503,
};

/** What makes the HTTP side of a transport speak a protocol: MCP's Streamable HTTP sets all of it. */
export interface StreamableHttpOptions {
  /** The header that carries a session's id (`mcp-session-id` for MCP). */
  readonly sessionHeader: string;
  /** Whether a message opens a session (MCP: `initialize`); any other message without a session is served alone. */
  readonly opensSession: (message: JsonObject) => boolean;
  /** The body of an error response, or `undefined` for none. */
  readonly errorBody: (problem: HttpProblem, message: string) => JsonObject | undefined;
  /** How long a session may go without a request, and without an open stream, before it ends, ms. Default 15 minutes. */
  readonly sessionIdleMs?: number;
}

/** What the HTTP side needs from its WebSocket edge and the server. */
export interface StreamableHttpSettings {
  readonly protocol: StreamableHttpOptions;
  readonly guard: UpgradeGuard;
  readonly maxMessageSize: number;
  readonly errorReply: (problem: ReplyProblem) => JsonObject | undefined;
  readonly eventLog: EventLog;
  readonly scheduler: SchedulerLike;
  /** Keep requests without the credentials the server authenticated with. */
  readonly redact: boolean;
}

interface Session {
  readonly peer: unknown;
  readonly link: HttpSessionLink;
  /** The principal that opened it: only they may use it. */
  readonly owner: string | undefined;
}

const MESSAGES: Record<HttpProblem, string> = {
  session_required: 'Bad Request: the session header is required',
  session_not_found: 'Session not found',
  not_acceptable: 'Not Acceptable: accept application/json and text/event-stream (POST), text/event-stream (GET)',
  unsupported_media_type: 'Unsupported Media Type: Content-Type must be application/json',
  too_large: 'Payload Too Large: the message is over maxMessageSize',
  conflict: 'Conflict: this session already has a stream open',
  bad_event_id: 'Bad Request: Last-Event-ID names no stream that can be resumed',
  unavailable: 'Service Unavailable',
};

/**
 * The Streamable HTTP side of an edge, on the same port and path as its WebSocket: a POST carries
 * one message (its replies come back on the POST's response: JSON, or server-sent events when
 * more than the final reply is said), a GET opens a session's standalone stream (or resumes one
 * with `Last-Event-ID`), a DELETE ends a session. A message that opens a session (MCP's
 * `initialize`) makes one, named by a header on every later request; any other message without a
 * session is served alone, as a peer that leaves with its reply. Every request passes the same
 * checks as a WebSocket upgrade (Host, Origin, `authenticate`), and a session serves only the
 * principal that opened it.
 */
export class StreamableHttp {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeping: Subscription;
  private accepting = true;

  constructor(
    private readonly settings: StreamableHttpSettings,
    private readonly host: EdgeHost,
  ) {
    const idleMs = settings.protocol.sessionIdleMs ?? 15 * 60_000;
    this.sweeping = interval(Math.min(idleMs, 60_000), settings.scheduler).subscribe(() => this.sweep(idleMs));
  }

  /** Answers one request that is not a WebSocket upgrade. */
  handle(request: HttpRequest, response: HttpResponse): void {
    this.serve(request, response).catch(() => respondText(response, 500, 'Internal Server Error'));
  }

  /** No new sessions or requests; the server closes the open ones as it closes every client. */
  stopAccepting(): void {
    this.accepting = false;
    this.sweeping.unsubscribe();
  }

  private async serve(request: HttpRequest, response: HttpResponse): Promise<void> {
    const method = request.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      respondText(response, 405, 'Method Not Allowed', { allow: 'GET, POST, DELETE' });
      return;
    }
    if (!this.accepting) return this.fail(response, 'unavailable');
    // HTTP/2 names the host in `:authority`: the Host check reads it where HTTP/1.1 puts it.
    const authority = request.headers[':authority'];
    if (request.headers.host === undefined && typeof authority === 'string') request.headers.host = authority;
    const sessionId = headerOf(request.headers, this.settings.protocol.sessionHeader);
    // An HTTP/2 request is not an IncomingMessage, but has what the checks read (headers, socket, url).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const decision = await this.settings.guard.checkRequest(request as IncomingMessage, sessionId === undefined);
    if (!decision.ok) {
      if (decision.clientGone !== true) respondText(response, decision.status, decision.body, decision.headers);
      return;
    }
    if (method === 'POST') return this.post(request, response, sessionId, decision.authInfo);
    const session = this.sessionFor(sessionId, decision.authInfo, response);
    if (!session) return;
    if (method === 'DELETE') {
      session.link.close(1000, 'Session ended by the client');
      respondJson(response, 200, undefined);
      return;
    }
    this.get(request, response, session);
  }

  private async post(request: HttpRequest, response: HttpResponse, sessionId: string | undefined, authInfo: AuthInfo | undefined): Promise<void> {
    const { headers } = request;
    if (!accepts(headers, 'application/json') || !accepts(headers, 'text/event-stream')) return this.fail(response, 'not_acceptable');
    if (!/^application\/json\b/i.test(headerOf(headers, 'content-type') ?? '')) return this.fail(response, 'unsupported_media_type');
    const body = await readBody(request, this.settings.maxMessageSize);
    if (body === 'aborted') return;
    if (body === 'too_large') return this.fail(response, 'too_large');
    const text = body.toString('utf8');
    const decoded = decodeTextFrame(text);
    if (E.isLeft(decoded)) {
      respondJson(response, 400, this.settings.errorReply(decoded.left));
      return;
    }
    const message = decoded.right;
    if (sessionId !== undefined) {
      const session = this.sessionFor(sessionId, authInfo, response);
      if (!session) return;
      session.link.lastSeen = this.settings.scheduler.now();
      this.deliver(session.peer, session.link, message, text, response, (key) => session.link.expect(key, response));
      return;
    }
    if (this.settings.protocol.opensSession(message)) {
      this.open(request, response, authInfo, message, text);
      return;
    }
    this.alone(request, response, authInfo, message, text);
  }

  private get(request: HttpRequest, response: HttpResponse, session: Session): void {
    if (!accepts(request.headers, 'text/event-stream')) return this.fail(response, 'not_acceptable');
    session.link.lastSeen = this.settings.scheduler.now();
    const lastEventId = headerOf(request.headers, 'last-event-id');
    if (lastEventId !== undefined) {
      const position = parseEventId(lastEventId);
      if (!position || !session.link.resume(position.stream, position.seq, response)) this.fail(response, 'bad_event_id');
      return;
    }
    if (!session.link.listen(response)) this.fail(response, 'conflict');
  }

  /** A message that opens a session: a new peer, named by the session header from now on. */
  private open(request: HttpRequest, response: HttpResponse, authInfo: AuthInfo | undefined, message: JsonObject, text: string): void {
    const id = newSessionToken();
    const { sessionHeader } = this.settings.protocol;
    const arriving = new Arriving(this.host);
    const link = new HttpSessionLink(id, { [sessionHeader]: id }, this.settings.eventLog, this.settings.scheduler.now(), (ended, info) => {
      this.sessions.delete(id);
      arriving.left(ended, info);
    });
    const peer = arriving.arrive(this.arrival(request, link, authInfo));
    if (peer === undefined) return this.fail(response, 'unavailable');
    this.sessions.set(id, { peer, link, owner: authInfo?.clientId });
    this.deliver(peer, link, message, text, response, (key) => link.expect(key, response));
  }

  /** A message without a session: a peer for as long as it takes. */
  private alone(request: HttpRequest, response: HttpResponse, authInfo: AuthInfo | undefined, message: JsonObject, text: string): void {
    const arriving = new Arriving(this.host);
    const link = new OneShotLink({}, (ended, info) => arriving.left(ended, info));
    const peer = arriving.arrive(this.arrival(request, link, authInfo));
    if (peer === undefined) return this.fail(response, 'unavailable');
    const isRequest = this.deliver(peer, link, message, text, response, () => link.expect(response));
    if (!isRequest) link.close(1000, '');
  }

  /** Hands the message to the server; a request's replies go on `response` (`expect`), anything else is answered 202 at once. */
  private deliver(peer: unknown, link: PeerLink, message: JsonObject, text: string, response: HttpResponse, expect: (key: string) => void): boolean {
    const key = this.host.requestKey(message);
    if (key === undefined) respondJson(response, 202, undefined);
    else expect(key);
    this.host.frame(peer, link, text, false);
    return key !== undefined;
  }

  private sessionFor(sessionId: string | undefined, authInfo: AuthInfo | undefined, response: HttpResponse): Session | undefined {
    if (sessionId === undefined) {
      this.fail(response, 'session_required');
      return undefined;
    }
    const session = this.sessions.get(sessionId);
    // Another principal's session is answered like an unknown one: a leaked id confirms nothing.
    if (!session || session.owner !== authInfo?.clientId) {
      this.fail(response, 'session_not_found');
      return undefined;
    }
    return session;
  }

  private arrival(request: HttpRequest, link: PeerLink, authInfo: AuthInfo | undefined) {
    const { [this.settings.protocol.sessionHeader]: _session, ...headers } = request.headers;
    const info = { url: request.url ?? '/', headers };
    return {
      link,
      remoteAddress: request.socket.remoteAddress,
      remotePort: request.socket.remotePort,
      // Like the checks above: an HTTP/2 request has what `clientAddress` reads (headers, socket).
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      limitAddress: this.settings.guard.limitAddressOf(request as IncomingMessage),
      request: this.settings.redact ? redactCredentials(info) : info,
      authInfo,
      session: NO_SESSION,
    };
  }

  private fail(response: HttpResponse, problem: HttpProblem): void {
    respondJson(response, STATUS[problem], this.settings.protocol.errorBody(problem, MESSAGES[problem]));
  }

  /** Ends the sessions that have been idle past `idleMs` with no stream open. */
  private sweep(idleMs: number): void {
    const now = this.settings.scheduler.now();
    for (const { link } of [...this.sessions.values()]) {
      if (now - link.lastSeen >= idleMs && !link.hasOpenStreams) link.close(1001, 'Session idle');
    }
  }
}

const NO_SESSION = { kind: 'none' } as const;

/**
 * One peer's arrival, and its departure however early it comes: the server may close a link while
 * `arrive()` is still running (full: turned away; a `connections$` subscriber closing it at once),
 * before the edge holds the peer's handle. Such a peer counts as never arrived: `arrive` returns
 * `undefined` (the request is answered 503), and a peer the server did hand back is told it left.
 */
class Arriving {
  private peer: unknown;
  private closedEarly: { readonly link: PeerLink; readonly info: CloseInfo } | undefined;
  private arrived = false;

  constructor(private readonly host: EdgeHost) {}

  arrive(arrival: PeerArrival): unknown {
    const peer = this.host.arrive(arrival);
    this.arrived = true;
    if (peer === undefined) return undefined;
    if (this.closedEarly) {
      this.host.left(peer, this.closedEarly.link, this.closedEarly.info);
      return undefined;
    }
    this.peer = peer;
    return peer;
  }

  left(link: PeerLink, info: CloseInfo): void {
    if (this.arrived && this.peer !== undefined) this.host.left(this.peer, link, info);
    else if (!this.arrived) this.closedEarly = { link, info };
  }
}
