import type { IncomingMessage } from 'node:http';
import { interval, Subscription, type SchedulerLike } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTextFrame, type JsonObject } from '../../../protocol/index.js';
import { newSessionToken } from '../../resume/session-resumption.js';
import { redactCredentials, type AuthInfo } from '../../security/authenticate.js';
import type { UpgradeGuard } from '../../security/upgrade-guard.js';
import type { ReplyProblem } from '../../server/error-reply.js';
import type { EdgeHost, PeerLink } from '../edge.js';
import { accepts, headerOf, readBody, respondJson, respondText, type HttpRequest, type HttpResponse } from './exchange.js';
import { HttpSessionLink, OneShotLink } from './http-links.js';
import { Arriving } from './arriving.js';
import { MESSAGES, STATUS, type HttpProblem } from './http-problems.js';
import { parseEventId, type EventLog } from './response-stream.js';
import type { HttpSessionDirectory } from './session-directory.js';

export type { HttpProblem } from './http-problems.js';

/** What makes the HTTP side of a transport speak a protocol: MCP's Streamable HTTP sets all of it. */
export interface StreamableHttpOptions {
  /** The header that carries a session's id (`mcp-session-id` for MCP). */
  readonly sessionHeader: string;
  /** Whether a message opens a session (MCP: `initialize`); any other message without a session is served alone. */
  readonly opensSession: (message: JsonObject) => boolean;
  /** The body of an error response, or `undefined` for none. */
  readonly errorBody: (problem: HttpProblem, message: string) => JsonObject | undefined;
  /**
   * How long a session may go without a request, and without an open stream, before this node lets
   * go of it, ms. Default 15 minutes. (With a `directory`, the session lives on elsewhere while the
   * directory has it.)
   */
  readonly sessionIdleMs?: number;
  /** Where sessions live beyond this node, so that every node serves every session. Default: none, a session lives on the node that opened it. */
  readonly directory?: HttpSessionDirectory;
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
  private readonly sweeping = new Subscription();
  private accepting = true;

  constructor(
    private readonly settings: StreamableHttpSettings,
    private readonly host: EdgeHost,
  ) {
    const idleMs = settings.protocol.sessionIdleMs ?? 15 * 60_000;
    this.sweeping.add(interval(Math.min(idleMs, 60_000), settings.scheduler).subscribe(() => this.sweep(idleMs)));
    const directory = settings.protocol.directory;
    if (directory) {
      this.sweeping.add(directory.ended$.subscribe((sessionId) => this.sessions.get(sessionId)?.link.close(1000, 'Session ended by the client')));
      this.sweeping.add(interval(directory.keepAliveMs, settings.scheduler).subscribe(() => this.keepListenersAlive(directory)));
    }
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
    if (method === 'DELETE') return this.delete(response, sessionId, decision.authInfo);
    const session = await this.sessionFor(request, sessionId, decision.authInfo, response);
    if (session) this.get(request, response, session);
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
      const session = await this.sessionFor(request, sessionId, authInfo, response);
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

  /** Ends the session: here, and with a directory on every node (a session only another node held is ended too). */
  private async delete(response: HttpResponse, sessionId: string | undefined, authInfo: AuthInfo | undefined): Promise<void> {
    if (sessionId === undefined) return this.fail(response, 'session_required');
    const directory = this.settings.protocol.directory;
    if (!directory) {
      const session = this.localSession(sessionId, authInfo, response);
      session?.link.close(1000, 'Session ended by the client');
      if (session) respondJson(response, 200, undefined);
      return;
    }
    try {
      const entry = await directory.find(sessionId, authInfo?.clientId);
      if (!entry) return this.notFound(sessionId, response);
      if (entry.owner !== authInfo?.clientId) return this.fail(response, 'session_not_found');
      await directory.end(sessionId);
    } catch {
      return this.fail(response, 'unavailable');
    }
    this.sessions.get(sessionId)?.link.close(1000, 'Session ended by the client');
    respondJson(response, 200, undefined);
  }

  /** A message that opens a session: a new peer, named by the session header from now on. */
  private open(request: HttpRequest, response: HttpResponse, authInfo: AuthInfo | undefined, message: JsonObject, text: string): void {
    const session = this.join(request, newSessionToken(), authInfo?.clientId, authInfo);
    if (!session) return this.fail(response, 'unavailable');
    this.deliver(session.peer, session.link, message, text, response, (key) => session.link.expect(key, response));
  }

  /** A peer for session `id` on this node: one it opens (`initialize`), or one another node opened that this node takes up. */
  private join(request: HttpRequest, id: string, owner: string | undefined, authInfo: AuthInfo | undefined): Session | undefined {
    const { sessionHeader } = this.settings.protocol;
    const arriving = new Arriving(this.host);
    const onlyHeard = this.settings.protocol.directory !== undefined;
    const link = new HttpSessionLink(id, { [sessionHeader]: id }, this.settings.eventLog, this.settings.scheduler.now(), (ended, info) => {
      if (this.sessions.get(id)?.link === ended) this.sessions.delete(id);
      arriving.left(ended, info);
    }, onlyHeard);
    const peer = arriving.arrive(this.arrival(request, link, authInfo));
    if (peer === undefined) return undefined;
    const session = { peer, link, owner };
    this.sessions.set(id, session);
    this.settings.protocol.directory?.joined(id, peer);
    return session;
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

  /**
   * The session a request names. With a directory, asked every time (it may have ended or expired
   * elsewhere, and asking keeps it alive); a session another node opened is taken up here.
   */
  private async sessionFor(request: HttpRequest, sessionId: string | undefined, authInfo: AuthInfo | undefined, response: HttpResponse): Promise<Session | undefined> {
    if (sessionId === undefined) {
      this.fail(response, 'session_required');
      return undefined;
    }
    const directory = this.settings.protocol.directory;
    if (!directory) return this.localSession(sessionId, authInfo, response);
    let entry;
    try {
      entry = await directory.find(sessionId, authInfo?.clientId);
    } catch {
      this.fail(response, 'unavailable');
      return undefined;
    }
    if (!entry) {
      this.notFound(sessionId, response);
      return undefined;
    }
    // Another principal's session is answered like an unknown one, and left alone.
    if (entry.owner !== authInfo?.clientId) {
      this.fail(response, 'session_not_found');
      return undefined;
    }
    const session = this.sessions.get(sessionId) ?? this.join(request, sessionId, entry.owner, authInfo);
    if (!session) this.fail(response, 'unavailable');
    return session;
  }

  private localSession(sessionId: string, authInfo: AuthInfo | undefined, response: HttpResponse): Session | undefined {
    const session = this.sessions.get(sessionId);
    // Another principal's session is answered like an unknown one: a leaked id confirms nothing.
    if (!session || session.owner !== authInfo?.clientId) {
      this.fail(response, 'session_not_found');
      return undefined;
    }
    return session;
  }

  /** The directory does not know the session (expired, ended): whatever this node held of it goes too. */
  private notFound(sessionId: string, response: HttpResponse): void {
    this.sessions.get(sessionId)?.link.close(1001, 'Session expired');
    this.fail(response, 'session_not_found');
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

  /** A session whose GET stream this node holds is in use: the directory keeps it alive. */
  private keepListenersAlive(directory: HttpSessionDirectory): void {
    const listening = [...this.sessions.entries()].filter(([, { link }]) => link.isListening).map(([id]) => id);
    if (listening.length === 0) return;
    directory.keepAlive(listening).then(
      (gone) => gone.forEach((id) => this.sessions.get(id)?.link.close(1001, 'Session expired')),
      // The directory reports its own failures; the streams stay open and the next round tries again.
      () => undefined,
    );
  }
}

const NO_SESSION = { kind: 'none' } as const;
