import * as E from 'fp-ts/lib/Either.js';
import { BehaviorSubject, NEVER, Subject, type Observable } from 'rxjs';
import { decodeTextFrame, JsonObjectCodec, JsonRpcErrorCode, LifecycleMethod, RequestIdCodec, type JsonObject, type RequestId } from '../../../protocol/index.js';
import type { ClientState } from '../../../transport/client/client-core.js';
import type { ReconnectPolicy } from '../../../transport/operators/reconnect.js';
import type { SessionOutcome } from '../../../transport/client/client-session.js';
import { ConnectionClosedError, HttpStatusError, McpError, SessionNotFoundError } from '../../mcp-error.js';
import { requestKey } from '../../request-correlator.js';
import { AskedOnStreams } from './asked-on-streams.js';
import type { ClientChannel } from './client-channel.js';
import { followEventStream, type FollowSettings } from './event-stream-follower.js';
import { failureOf, readText } from './http-failures.js';
import { HttpRequester, NO_SESSION, type RequesterSettings } from './http-requester.js';
import { followStandalone } from './standalone-stream.js';

/** How a Streamable HTTP channel talks to its endpoint. */
export interface HttpChannelSettings extends RequesterSettings {
  /** How broken event streams are resumed; `undefined`: they are not. */
  readonly reconnect: ReconnectPolicy | undefined;
  /** Largest message accepted (a JSON reply, one event), characters. */
  readonly maxMessageSize: number;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
}

/** Why a call's exchange was aborted when the call itself is over: nobody waits for what it would bring. */
const RELEASED = new Error('The call is over');

/**
 * `SimpleMCPClient`'s connection over MCP's Streamable HTTP transport: each message is a POST to
 * the endpoint. A request's replies come back on its POST's response, as JSON or as an event
 * stream that also carries what the server says while serving it (progress, log messages, its own
 * requests to the client), and that is resumed with `Last-Event-ID` when it breaks. After
 * `notifications/initialized`, a GET opens the stream of everything tied to no request (list
 * changes, resource updates); a server that answers 405 offers none. `stop()` ends the session
 * with a DELETE. A 404 on a request that named the session means the server no longer knows it:
 * everything open is let go and `expired$` says so, for the client to start a new session.
 */
export class HttpChannel implements ClientChannel {
  private readonly stateSubject = new BehaviorSubject<ClientState>('connecting');
  private readonly messagesSubject = new Subject<JsonObject>();
  private readonly expiredSubject = new Subject<Error>();
  private readonly problemsSubject = new Subject<Error>();
  private readonly requester: HttpRequester;
  private readonly follow: FollowSettings;
  /** Exchanges of calls in flight, by request key: released when the call is over. */
  private readonly calls = new Map<string, AbortController>();
  /** Every other exchange open: one-way POSTs, the standalone stream. */
  private readonly others = new Set<AbortController>();
  /** The server's requests that came on each call's stream and are not answered yet. */
  private readonly asked = new AskedOnStreams();
  private readonly orphanedSubject = new Subject<{ readonly requestId: RequestId; readonly reason: string }>();
  private listening = false;
  private stopped = false;

  readonly state$: Observable<ClientState> = this.stateSubject.asObservable();
  readonly messages$: Observable<JsonObject> = this.messagesSubject.asObservable();
  /** HTTP sessions are not resumed the way WebSocket sessions are: nothing to say here. */
  readonly session$: Observable<SessionOutcome> = NEVER;
  readonly expired$: Observable<Error> = this.expiredSubject.asObservable();
  readonly problems$: Observable<Error> = this.problemsSubject.asObservable();
  readonly orphaned$: Observable<{ readonly requestId: RequestId; readonly reason: string }> = this.orphanedSubject.asObservable();

  constructor(
    url: string,
    private readonly settings: HttpChannelSettings,
  ) {
    this.requester = new HttpRequester(url, settings);
    this.follow = { reconnect: settings.reconnect, maxEventLength: settings.maxMessageSize, scheduler: settings.scheduler, random: settings.random };
  }

  /** Nothing to open: HTTP connects per request (the first POST, `initialize`, tells whether the server is there). */
  start(): Promise<void> {
    if (!this.stopped) this.stateSubject.next('open');
    return Promise.resolve();
  }

  /** POSTs one message; for a request, resolves once its exchange is over (the reply came, or the call was released). */
  send(message: JsonObject): Promise<void> {
    if (this.stopped) return Promise.reject(new ConnectionClosedError('The client disconnected'));
    const id = message['id'];
    if (!Object.hasOwn(message, 'method') && RequestIdCodec.is(id)) this.asked.answered(id);
    return typeof message['method'] === 'string' && RequestIdCodec.is(id) ? this.call(message, message['method'], id) : this.post(message);
  }

  /**
   * The call with this id is over (answered, timed out, aborted): its stream, if still open, is
   * let go, and with it the server's requests that came on it unanswered: whatever the server
   * says of them now (its cancellation) would come on that stream, so they are orphaned here.
   */
  release(id: RequestId): void {
    const key = requestKey(id);
    const controller = this.calls.get(key);
    if (!controller) return;
    controller.abort(RELEASED);
    for (const requestId of this.asked.take(key)) {
      this.orphanedSubject.next({ requestId, reason: `The call it was part of (request ${JSON.stringify(id)}) is over, and its stream with it` });
    }
  }

  /** Ends the session (DELETE, bounded by the connect timeout; its outcome does not matter) and everything open. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abortAll(new ConnectionClosedError('The client disconnected'));
    if (this.requester.session.id !== undefined) {
      const ending = new AbortController();
      await this.requester
        .send({ method: 'DELETE', signal: ending.signal, what: 'Ending the session (DELETE)' })
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
      this.requester.session = NO_SESSION;
    }
    this.stateSubject.next('closed');
    this.stateSubject.complete();
    this.messagesSubject.complete();
    this.expiredSubject.complete();
    this.problemsSubject.complete();
    this.orphanedSubject.complete();
  }

  /** A notification or a response of ours: the server answers 202 and nothing else. */
  private async post(message: JsonObject): Promise<void> {
    const what = typeof message['method'] === 'string' ? message['method'] : `The answer to request ${JSON.stringify(message['id'])}`;
    const session = this.requester.session.id;
    await this.exchange(async (signal) => {
      const response = await this.requester.send({ method: 'POST', message, signal, what });
      if (!response.ok) throw await this.failure(response, session, what);
      await response.body?.cancel();
    });
    if (message['method'] === LifecycleMethod.initialized) await this.listen();
  }

  /** A request: its replies come on the POST's response (a 202 leaves them to the standalone stream). */
  private async call(message: JsonObject, method: string, id: RequestId): Promise<void> {
    const key = requestKey(id);
    const controller = new AbortController();
    this.calls.set(key, controller);
    const what = `${method} (request ${JSON.stringify(id)})`;
    const session = this.requester.session.id;
    try {
      // Unbounded here: the request's own timeout releases it.
      const response = await this.requester.send({ method: 'POST', message, signal: controller.signal, what, bounded: false });
      if (method === LifecycleMethod.initialize) this.requester.session = { id: response.headers.get('mcp-session-id') ?? undefined, protocolVersion: undefined };
      if (!response.ok) throw await this.failure(response, session, what);
      await this.readReplies(response, id, method, controller.signal, what);
    } catch (error) {
      if (controller.signal.reason === RELEASED) return;
      throw error;
    } finally {
      if (this.calls.get(key) === controller) {
        this.calls.delete(key);
        this.asked.take(key);
      }
    }
  }

  private async readReplies(response: Response, id: RequestId, method: string, signal: AbortSignal, what: string): Promise<void> {
    const type = mediaType(response);
    if (response.status === 202 || response.body === null) {
      await response.body?.cancel();
      return;
    }
    if (type === 'application/json') {
      const text = await readText(response, this.settings.maxMessageSize);
      if (text === undefined) throw new McpError(JsonRpcErrorCode.InternalError, `The reply to ${what} is longer than maxMessageSize (${this.settings.maxMessageSize})`);
      const decoded = decodeTextFrame(text);
      if (E.isLeft(decoded)) throw new HttpStatusError(`${what}: the server's JSON reply is not a JSON-RPC object (${decoded.left.message})`, response.status);
      this.receive(decoded.right, method, id);
      return;
    }
    if (type !== 'text/event-stream') {
      await response.body.cancel();
      throw new HttpStatusError(`${what}: the server answered ${response.status} with ${type ?? 'no content type'}, neither JSON nor an event stream`, 0);
    }
    const session = this.requester.session.id;
    await followEventStream(
      {
        response,
        signal,
        what: `the response stream of ${what}`,
        onMessage: (message) => {
          this.asked.note(requestKey(id), message);
          return this.receive(message, method, id);
        },
        onBadEvent: (error) => this.problemsSubject.next(error),
        reopen: (lastEventId) => this.openEvents(lastEventId, session, signal, `resuming the response stream of ${what}`),
        reopenWithoutId: false,
      },
      this.follow,
    );
    // The stream ended the wait only by bringing the reply; anything else rejected above.
  }

  /** Passes a message on; true when it is the reply to `id`. The reply to `initialize` also names the protocol version to send from now on. */
  private receive(message: JsonObject, method: string, id: RequestId): boolean {
    const isReply = !Object.hasOwn(message, 'method') && message['id'] === id;
    if (isReply && method === LifecycleMethod.initialize) {
      const result = message['result'];
      const version = JsonObjectCodec.is(result) ? result['protocolVersion'] : undefined;
      if (typeof version === 'string') this.requester.session = { ...this.requester.session, protocolVersion: version };
    }
    if (!this.stopped) this.messagesSubject.next(message);
    return isReply;
  }

  /**
   * The standalone GET stream, for as long as the session lasts. Resolves once the first GET has
   * answered (opened or not), so that the session is `ready` only when what the server sends from
   * then on has a stream to reach the client on.
   */
  private listen(): Promise<void> {
    if (this.listening || this.stopped) return Promise.resolve();
    this.listening = true;
    const session = this.requester.session.id;
    return new Promise<void>((answered) => {
      void this.exchange((signal) =>
        followStandalone({
          requester: this.requester,
          follow: this.follow,
          session,
          signal,
          deliver: (message) => {
            if (!this.stopped) this.messagesSubject.next(message);
          },
          report: (error) => this.problemsSubject.next(error),
          check: (response, what) => this.checkStream(response, session, what),
          afterFirstAttempt: answered,
        }),
      ).finally(() => {
        answered();
        if (this.requester.session.id === session) this.listening = false;
      });
    });
  }

  /** A GET that continues a request's response stream after the event `lastEventId`. */
  private async openEvents(lastEventId: string | undefined, session: string | undefined, signal: AbortSignal, what: string): Promise<Response> {
    const response = await this.requester.send({ method: 'GET', signal, what, ...(lastEventId === undefined ? {} : { lastEventId }) });
    return this.checkStream(response, session, what);
  }

  /** A 200 event stream passes; a temporary refusal (409, 429, 5xx) is an `HttpStatusError` worth retrying; the rest their typed errors. */
  private async checkStream(response: Response, session: string | undefined, what: string): Promise<Response> {
    if (response.ok && mediaType(response) === 'text/event-stream') return response;
    if (response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(`${what}: expected an event stream, got ${mediaType(response) ?? 'no content type'}`, 0);
    }
    const error = await this.failure(response, session, what);
    const temporary = response.status === 409 || response.status === 429 || response.status >= 500;
    throw temporary && !(error instanceof HttpStatusError) ? new HttpStatusError(error.message, response.status, { cause: error }) : error;
  }

  /** The typed error of an HTTP error response; a 404 on a request that named the session ends the session. */
  private async failure(response: Response, session: string | undefined, what: string): Promise<McpError> {
    if (response.status !== 404 || session === undefined) return failureOf(response, what);
    await response.body?.cancel();
    return this.expire(session);
  }

  /** The server no longer knows `session`: what was open goes, and `expired$` tells the client (once per session). */
  private expire(session: string): SessionNotFoundError {
    const error = new SessionNotFoundError(
      'The server no longer knows the session (HTTP 404: it expired, was ended, or the server restarted); the request may or may not have run',
    );
    if (this.requester.session.id !== session || this.stopped) return error;
    this.requester.session = NO_SESSION;
    this.listening = false;
    // Before telling: the client's next initialize must not be aborted with the old session's exchanges.
    this.abortAll(error);
    this.expiredSubject.next(error);
    return error;
  }

  /** Runs one exchange with an abort of its own, let go once it is over. */
  private async exchange<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.others.add(controller);
    try {
      return await run(controller.signal);
    } finally {
      this.others.delete(controller);
    }
  }

  private abortAll(reason: Error): void {
    const open = [...this.calls.values(), ...this.others];
    this.calls.clear();
    this.asked.clear();
    this.others.clear();
    for (const controller of open) controller.abort(reason);
  }
}

/** The media type of a response, lower case, without parameters. */
function mediaType(response: Response): string | undefined {
  return response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}
