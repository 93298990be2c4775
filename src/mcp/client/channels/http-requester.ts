import { timer, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { networkFailure } from './http-failures.js';

/** What every HTTP request of a Streamable HTTP client shares. */
export interface RequesterSettings {
  /** Extra headers on every request (`Authorization`, say); the protocol's own headers win over them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  /** Bound on the wait for response headers, where no request timeout bounds it already, ms. */
  readonly connectTimeoutMs: number;
  readonly scheduler: SchedulerLike;
}

/** The MCP session a Streamable HTTP client is in, as its headers name it. */
export interface HttpSession {
  /** `Mcp-Session-Id`, from the `initialize` response; none before, or when the server keeps no sessions. */
  readonly id: string | undefined;
  /** `MCP-Protocol-Version`: the revision `initialize` negotiated. */
  readonly protocolVersion: string | undefined;
}

export const NO_SESSION: HttpSession = { id: undefined, protocolVersion: undefined };

/** One request to the MCP endpoint. */
export interface Exchange {
  readonly method: 'POST' | 'GET' | 'DELETE';
  readonly message?: JsonObject;
  /** Resumes the event stream after this event (`Last-Event-ID`). */
  readonly lastEventId?: string;
  /** Aborts the request (and the body being read). */
  readonly signal: AbortSignal;
  /** Give up when no response headers came within `connectTimeoutMs`. Default true. */
  readonly bounded?: boolean;
  /** For error messages: what the request is for. */
  readonly what: string;
}

/**
 * Sends the HTTP requests of one Streamable HTTP client to its endpoint, with the headers the
 * transport requires: `Accept` (JSON and event streams for a POST, event streams for a GET),
 * `Content-Type` on a POST, and once `initialize` is answered, `Mcp-Session-Id` and
 * `MCP-Protocol-Version` on every request.
 */
export class HttpRequester {
  /** The session the requests name now. */
  session: HttpSession = NO_SESSION;

  constructor(
    readonly url: string,
    private readonly settings: RequesterSettings,
  ) {}

  /**
   * Sends one request; resolves with the response once its headers are in (the body is the
   * caller's to read). A request that does not get through rejects with `ConnectionClosedError`.
   */
  async send(exchange: Exchange): Promise<Response> {
    const deadline = exchange.bounded === false ? undefined : new AbortController();
    const waiting = deadline && timer(this.settings.connectTimeoutMs, this.settings.scheduler).subscribe(() => deadline.abort(new Error(`no response within ${this.settings.connectTimeoutMs} ms`)));
    // Both abort the request and the body being read; the deadline stops counting once the headers are in.
    const signal = deadline ? AbortSignal.any([exchange.signal, deadline.signal]) : exchange.signal;
    try {
      return await this.settings.fetch(this.url, {
        method: exchange.method,
        headers: this.headers(exchange),
        ...(exchange.message === undefined ? {} : { body: JSON.stringify(exchange.message) }),
        signal,
      });
    } catch (error) {
      throw networkFailure(signal.aborted ? signal.reason : error, `${exchange.what} did not reach ${this.url}`);
    } finally {
      waiting?.unsubscribe();
    }
  }

  private headers(exchange: Exchange): Headers {
    const headers = new Headers(this.settings.headers);
    const { id, protocolVersion } = this.session;
    if (id !== undefined) headers.set('mcp-session-id', id);
    if (protocolVersion !== undefined) headers.set('mcp-protocol-version', protocolVersion);
    if (exchange.method === 'POST') {
      headers.set('accept', 'application/json, text/event-stream');
      headers.set('content-type', 'application/json');
    } else if (exchange.method === 'GET') {
      headers.set('accept', 'text/event-stream');
    }
    if (exchange.lastEventId !== undefined) headers.set('last-event-id', exchange.lastEventId);
    return headers;
  }
}
