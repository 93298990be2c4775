import type { IncomingMessage } from 'node:http';
import type { SchedulerLike } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTextFrame, type JsonObject } from '../../../protocol/index.js';
import { newSessionToken } from '../../resume/session-resumption.js';
import { redactCredentials, type AuthInfo } from '../../security/authenticate.js';
import type { UpgradeGuard } from '../../security/upgrade-guard.js';
import type { ReplyProblem } from '../../server/pipeline/error-reply.js';
import type { EdgeHost, PeerLink } from '../edge.js';
import { accepts, headerOf, readBody, respondJson, respondText, type HttpRequest, type HttpResponse } from './exchange.js';
import { HttpSessionLink, OneShotLink } from './http-links.js';
import { Arriving } from './arriving.js';
import { MESSAGES, STATUS, type HttpProblem } from './http-problems.js';
import { HttpSessions, type HttpSession } from './http-sessions.js';
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
  private readonly sessions: HttpSessions;
  private accepting = true;

  constructor(
    private readonly settings: StreamableHttpSettings,
    private readonly host: EdgeHost,
  ) {
    const { directory, sessionIdleMs = 15 * 60_000 } = settings.protocol;
    this.sessions = new HttpSessions(directory, sessionIdleMs, settings.scheduler);
  }

  /** Answers one request that is not a WebSocket upgrade. */
  handle(request: HttpRequest, response: HttpResponse): void {
    this.serve(request, response).catch(() => respondText(response, 500, 'Internal Server Error'));
  }

  /** No new sessions or requests; the server closes the open ones as it closes every client. */
  stopAccepting(): void {
    this.accepting = false;
    this.sessions.stop();
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
    const session = await this.sessionFor(request, response, sessionId, decision.authInfo);
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
      const session = await this.sessionFor(request, response, sessionId, authInfo);
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

  private get(request: HttpRequest, response: HttpResponse, session: HttpSession): void {
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

  /** DELETE: the session ends here, and with a directory everywhere. */
  private async delete(response: HttpResponse, sessionId: string | undefined, authInfo: AuthInfo | undefined): Promise<void> {
    const problem = await this.sessions.end(sessionId, authInfo);
    if (problem === undefined) respondJson(response, 200, undefined);
    else this.fail(response, problem);
  }

  /** A message that opens a session: a new peer, named by the session header from now on. */
  private open(request: HttpRequest, response: HttpResponse, authInfo: AuthInfo | undefined, message: JsonObject, text: string): void {
    const session = this.join(request, newSessionToken(), authInfo?.clientId, authInfo);
    if (!session) return this.fail(response, 'unavailable');
    this.deliver(session.peer, session.link, message, text, response, (key) => session.link.expect(key, response));
  }

  /** A peer for session `id` on this node: one it opens (`initialize`), or one another node opened that this node takes up. */
  private join(request: HttpRequest, id: string, owner: string | undefined, authInfo: AuthInfo | undefined): HttpSession | undefined {
    const { sessionHeader } = this.settings.protocol;
    const arriving = new Arriving(this.host);
    const onlyHeard = this.sessions.directory !== undefined;
    const link = new HttpSessionLink(id, { [sessionHeader]: id }, this.settings.eventLog, this.settings.scheduler.now(), (ended, info) => {
      this.sessions.ended(id, ended);
      arriving.left(ended, info);
    }, onlyHeard);
    const peer = arriving.arrive(this.arrival(request, link, authInfo));
    if (peer === undefined) return undefined;
    const session = { peer, link, owner };
    this.sessions.add(id, session);
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

  /** The session a request names (one another node opened is taken up here), or `undefined` once the request is answered. */
  private async sessionFor(request: HttpRequest, response: HttpResponse, sessionId: string | undefined, authInfo: AuthInfo | undefined): Promise<HttpSession | undefined> {
    const found = await this.sessions.find(sessionId, authInfo, (id, owner) => this.join(request, id, owner, authInfo));
    if (typeof found !== 'string') return found;
    this.fail(response, found);
    return undefined;
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
}

const NO_SESSION = { kind: 'none' } as const;
