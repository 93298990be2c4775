import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { SchedulerLike } from 'rxjs';
import { authenticateWithin, type HookResult } from './auth-deadline.js';
import type { AuthInfo, Authenticate } from './authenticate.js';
import { UpgradeRefusedError, type TransportError } from '../errors.js';
import { compileHostAllowList, compileOriginAllowList, localHostHeader, sameHostOrLocalOrigin } from './origin-policy.js';
import { DEFAULT_STORE_TIMEOUT_MS, FallbackRateLimiter, type ConnectionRateOptions } from '../flow/rate-limit-store.js';
import { KeyedTokenBuckets, validateTokenBucket } from '../flow/token-bucket.js';

/** What the guard checks, in this order: connection rate, `Host`, `Origin`, authentication. */
export interface UpgradeGuardOptions {
  /** Origin allow-list; `undefined`: same-host and local origins only. */
  readonly allowedOrigins: readonly string[] | undefined;
  /** Host allow-list; `'local'`: local names only (the default on a loopback bind); `undefined`: any. */
  readonly allowedHosts: readonly string[] | 'local' | undefined;
  readonly authenticate: Authenticate | undefined;
  /** How long `authenticate` may take before the upgrade is answered 503, ms. */
  readonly authTimeoutMs: number;
  /** New connections per remote address (in process, or in a shared store); `undefined`: unlimited. */
  readonly connectionRate: ConnectionRateOptions | undefined;
  /** The key connection rates are counted under. */
  readonly clientAddress: (request: IncomingMessage) => string | undefined;
  readonly scheduler: SchedulerLike;
}

/** A refused upgrade: the HTTP response to send, and why (for `errors$`, never for the peer). */
export interface UpgradeRefusal {
  readonly ok: false;
  readonly status: number;
  /** The response body: a fixed phrase, nothing taken from the request. */
  readonly body: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly why: string;
  readonly cause?: unknown;
  /** The client closed the connection before the answer: nobody to send it to, nothing to report. */
  readonly clientGone?: true;
}

/** The guard's answer to one upgrade request. */
export type UpgradeDecision = { readonly ok: true; readonly authInfo: AuthInfo | undefined } | UpgradeRefusal;

/** ws's asynchronous `verifyClient` signature. */
type VerifyClient = (
  info: { origin: string; secure: boolean; req: IncomingMessage },
  callback: (verified: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void,
) => void;

/**
 * Checks every upgrade request before ws accepts the socket, and remembers the principal of each
 * accepted one for the `connection` that follows. Refusals are plain HTTP responses with short
 * fixed bodies: nothing from the request is ever echoed back.
 */
export class UpgradeGuard {
  private readonly originAllowed: (origin: string, host: string | undefined) => boolean;
  private readonly hostAllowed: (host: string | undefined) => boolean;
  private readonly connectionRate: KeyedTokenBuckets | undefined;
  private readonly sharedConnectionRate: FallbackRateLimiter | undefined;
  private readonly principals = new WeakMap<IncomingMessage, AuthInfo>();

  constructor(
    private readonly options: UpgradeGuardOptions,
    private readonly onRefused: (error: UpgradeRefusedError) => void,
    /** Problems that refuse nothing (a shared rate store that fails); default: reported as refusals are. */
    onProblem: (error: TransportError) => void = onRefused as (error: TransportError) => void,
  ) {
    const { allowedOrigins, allowedHosts, connectionRate } = options;
    if (allowedOrigins) {
      const allowed = compileOriginAllowList(allowedOrigins);
      this.originAllowed = (origin) => allowed(origin);
    } else {
      this.originAllowed = sameHostOrLocalOrigin;
    }
    this.hostAllowed = allowedHosts === undefined ? () => true : allowedHosts === 'local' ? localHostHeader : compileHostAllowList(allowedHosts);
    const bucket = connectionRate && validateTokenBucket('connectionRate', connectionRate);
    const { store, storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS } = connectionRate ?? {};
    this.connectionRate = bucket && !store ? new KeyedTokenBuckets(bucket, options.scheduler) : undefined;
    this.sharedConnectionRate =
      bucket && store
        ? new FallbackRateLimiter(store, bucket, { scheduler: options.scheduler, timeoutMs: storeTimeoutMs, name: 'connectionRate', report: onProblem })
        : undefined;
  }

  /** Pass as ws's `verifyClient`. */
  readonly verifyClient: VerifyClient = (info, callback) => {
    this.check(info.req).then(
      (decision) => {
        if (decision.ok) {
          if (decision.authInfo) this.principals.set(info.req, decision.authInfo);
          callback(true);
          return;
        }
        const remote = info.req.socket.remoteAddress;
        if (!decision.clientGone) this.onRefused(
          new UpgradeRefusedError(`Refused an upgrade from ${remote ?? 'an unknown address'} with ${decision.status}: ${decision.why}`, decision.status, remote, {
            cause: decision.cause,
          }),
        );
        callback(false, decision.status, decision.body, { 'Content-Type': 'text/plain; charset=utf-8', ...decision.headers });
      },
      // check() catches everything; this only guards against a bug in it.
      () => callback(false, 500, 'Internal Server Error'),
    );
  };

  /** The principal the `authenticate` hook returned for this request, once it was accepted. */
  authInfoOf(request: IncomingMessage): AuthInfo | undefined {
    return this.principals.get(request);
  }

  /**
   * Judges a plain HTTP request (Streamable HTTP) as an upgrade is judged, and reports a refusal on
   * `errors$` the same way. `opensConnection`: whether it counts against the connection rate (a
   * request that opens a session, or one served alone, does; one within a session does not).
   */
  async checkRequest(request: IncomingMessage, opensConnection: boolean): Promise<UpgradeDecision> {
    const decision = await this.check(request, opensConnection);
    if (!decision.ok && decision.clientGone !== true) {
      const remote = request.socket.remoteAddress;
      this.onRefused(
        new UpgradeRefusedError(`Refused a request from ${remote ?? 'an unknown address'} with ${decision.status}: ${decision.why}`, decision.status, remote, {
          cause: decision.cause,
        }),
      );
    }
    return decision;
  }

  /** Judges one upgrade request. Never rejects. */
  async check(request: IncomingMessage, countsAsConnection = true): Promise<UpgradeDecision> {
    const address = this.options.clientAddress(request) ?? 'unknown';
    if (countsAsConnection && this.connectionRate && !this.connectionRate.tryTake(address)) {
      const seconds = Math.max(1, Math.ceil(this.connectionRate.msUntilAvailable(address) / 1000));
      return refuse(429, 'Too Many Requests', `connection rate exceeded for ${address}`, { 'Retry-After': String(seconds) });
    }
    if (countsAsConnection && this.sharedConnectionRate) {
      const { allowed, retryAfterMs } = await this.sharedConnectionRate.take(address);
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      if (!allowed) return refuse(429, 'Too Many Requests', `connection rate exceeded for ${address} (shared)`, { 'Retry-After': String(seconds) });
    }
    const host = request.headers.host;
    if (!this.hostAllowed(host)) return refuse(403, 'Forbidden', `Host ${JSON.stringify(host ?? null)} is not allowed`);
    const origin = request.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, host)) {
      return refuse(403, 'Forbidden', `Origin ${JSON.stringify(origin)} is not allowed`);
    }
    const authenticate = this.options.authenticate;
    if (!authenticate) return { ok: true, authInfo: undefined };
    const { authTimeoutMs, scheduler } = this.options;
    return judgeHookResult(await authenticateWithin(authenticate, request, authTimeoutMs, scheduler), authTimeoutMs);
  }
}

function judgeHookResult(result: HookResult, authTimeoutMs: number): UpgradeDecision {
  switch (result.kind) {
    case 'answered': {
      const { outcome } = result;
      if (outcome.ok) return { ok: true, authInfo: outcome.authInfo };
      return outcome.status === 401
        ? refuse(401, 'Unauthorized', outcome.reason ?? 'authentication failed', { 'WWW-Authenticate': 'Bearer' })
        : refuse(403, 'Forbidden', outcome.reason ?? 'not permitted');
    }
    case 'failed': {
      const reason = result.error instanceof Error ? result.error.message : String(result.error);
      return { ...refuse(500, 'Internal Server Error', `the authenticate hook failed: ${reason}`), cause: result.error };
    }
    case 'timed_out':
      return refuse(503, 'Service Unavailable', `the authenticate hook did not answer within ${authTimeoutMs} ms (authTimeoutMs)`);
    case 'client_gone':
      return { ...refuse(503, 'Service Unavailable', 'the client closed the connection before authenticate answered'), clientGone: true };
  }
}

function refuse(status: number, body: string, why: string, headers?: OutgoingHttpHeaders): UpgradeRefusal {
  return headers ? { ok: false, status, body, why, headers } : { ok: false, status, body, why };
}
