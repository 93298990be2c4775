import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  classifyMessage,
  JsonRpcErrorCode,
  MetaKey,
  type Implementation,
  type CacheScope,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type RequestId,
} from '../protocol/index.js';
import { cutPeerText } from '../transport/index.js';
import { describeErrors } from './describe-errors.js';
import { createHandlerContext, type HandlerContext } from './handler-context.js';
import { McpError } from './mcp-error.js';
import { progressTokenOf, requestEra } from './negotiation.js';
import { afterNotificationsRead, type ReceiptPolicy } from './notification-receipt.js';
import { requestKey } from './request-correlator.js';
import { ResourceNotFoundError } from './resource-registry.js';
import type { InFlightRequest, McpSession, RequestEra } from './session.js';

/** One request as a method handler sees it. */
export interface MethodCall<P> {
  readonly params: P;
  readonly session: McpSession;
  readonly id: RequestId;
  readonly era: RequestEra;
  readonly ctx: HandlerContext;
}

/** How a method is served: its params codec, who may call it, and the handler. */
export interface MethodSpec<P> {
  readonly params: t.Decoder<unknown, P>;
  /** `legacy`: only under `initialize`. `modern`: only with 2026-07-28 `_meta`. `both`: either. */
  readonly eras: 'legacy' | 'modern' | 'both';
  /** Callable on a legacy connection before `initialize` (initialize itself, ping, discover). */
  readonly beforeInitialize?: boolean;
  /** Modern results carry `ttlMs` and `cacheScope`. */
  readonly cacheable?: boolean;
  readonly handle: (call: MethodCall<P>) => JsonObject | Promise<JsonObject>;
}

/** A method table entry with its params type erased, so one map holds them all. */
export interface AnyMethodSpec {
  readonly params: t.Decoder<unknown, unknown>;
  readonly eras: 'legacy' | 'modern' | 'both';
  readonly beforeInitialize?: boolean;
  readonly cacheable?: boolean;
  readonly handle: (call: MethodCall<unknown>) => JsonObject | Promise<JsonObject>;
}

export function defineMethod<P>(spec: MethodSpec<P>): AnyMethodSpec {
  return spec as unknown as AnyMethodSpec;
}

export type NotificationHandler = (params: JsonObject, session: McpSession) => void;

export interface DispatcherOptions {
  readonly methods: ReadonlyMap<string, AnyMethodSpec>;
  readonly notifications: ReadonlyMap<string, NotificationHandler>;
  readonly serverInfo: Implementation;
  readonly cache: { readonly ttlMs: number; readonly scope: CacheScope };
  /** Most requests one session may have running at once; `undefined` for no cap. */
  readonly maxInFlight: number | undefined;
  /** How a reply after notifications of its request waits for the client to read them; `undefined`: it does not wait. */
  readonly notificationReceipt: ReceiptPolicy | undefined;
  /** A handler threw something that is not an `McpError`: the client gets -32603, this gets the details. */
  readonly onInternalError: (error: unknown, session: McpSession, method: string) => void;
  /** A request passed every check and is about to run. */
  readonly onAdmitted: (session: McpSession, era: RequestEra) => void;
}

/**
 * The transport-independent core of the server: takes one decoded JSON object from a session and
 * answers it per JSON-RPC and MCP. Never throws: every malformed request gets its error reply and the
 * connection stays up; notifications never get a reply; replies to our own requests go to the
 * session's correlator.
 */
export class Dispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  receive(session: McpSession, input: JsonObject): void {
    const classified = classifyMessage(input);
    if (E.isLeft(classified)) {
      session.replyError(classified.left.id, JsonRpcErrorCode.InvalidRequest, `Invalid request: ${classified.left.reason}`);
      return;
    }
    const { kind, message } = classified.right;
    if (kind === 'request') this.request(session, message);
    else if (kind === 'notification') this.notification(session, message);
    else session.outgoing.accept(message);
  }

  private notification(session: McpSession, notification: JsonRpcNotification): void {
    const handler = this.options.notifications.get(notification.method);
    // Unknown notifications are ignored, as JSON-RPC asks: there is nobody to tell.
    if (handler) handler(notification.params ?? {}, session);
  }

  private request(session: McpSession, request: JsonRpcRequest): void {
    const { id, method } = request;
    const key = requestKey(id);
    if (session.inFlight.has(key)) {
      session.replyError(id, JsonRpcErrorCode.InvalidRequest, 'Invalid request: this id is already in use by a request in flight');
      return;
    }
    const max = this.options.maxInFlight;
    if (max !== undefined && session.inFlight.size >= max && running(session) >= max) {
      // Only handlers still running hold a slot: one client cannot pile up unbounded work.
      session.replyError(id, JsonRpcErrorCode.ServerBusy, `Too many requests in progress (${max}); retry when one has finished`, { reason: 'overloaded' });
      return;
    }
    const spec = this.options.methods.get(method);
    if (!spec) {
      this.replyMcpError(session, id, McpError.methodNotFound(method));
      return;
    }
    const eraDecision = method === 'initialize' ? E.right<McpError, RequestEra>({ kind: 'legacy' }) : requestEra(request.params);
    if (E.isLeft(eraDecision)) {
      this.replyMcpError(session, id, eraDecision.left);
      return;
    }
    const era = eraDecision.right;
    const refusal = admission(spec, era, session, method);
    if (refusal) {
      this.replyMcpError(session, id, refusal);
      return;
    }
    const params = spec.params.decode(request.params ?? {});
    if (E.isLeft(params)) {
      session.replyError(id, JsonRpcErrorCode.InvalidParams, `Invalid params for ${method}: ${describeErrors(params.left, 'params')}`);
      return;
    }
    this.options.onAdmitted(session, era);
    this.run(session, request, spec, era, params.right);
  }

  private run(session: McpSession, request: JsonRpcRequest, spec: AnyMethodSpec, era: RequestEra, params: unknown): void {
    const { id, method } = request;
    const key = requestKey(id);
    const controller = new AbortController();
    let open = true;
    let notified = false;
    let settle = (): void => undefined;
    const entry: InFlightRequest = {
      id,
      method,
      controller,
      cancelled: false,
      awaitingReceipt: false,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    session.inFlight.set(key, entry);
    const link = { isOpen: () => open && !entry.cancelled, notified: () => (notified = true) };
    const ctx = createHandlerContext(session, id, era, controller.signal, progressTokenOf(request.params), link);
    const call: MethodCall<unknown> = { params, session, id, era, ctx };
    const finish = (): void => {
      if (session.inFlight.get(key) === entry) session.inFlight.delete(key);
      settle();
    };
    const onError = (error: unknown): void => this.options.onInternalError(error, session, method);
    // The answer goes out now, unless this request sent notifications: then once the client has
    // read them (notification-receipt.ts). Requests without notifications never wait.
    const answer = (send: () => void): Promise<void> | undefined => {
      open = false;
      const policy = this.options.notificationReceipt;
      if (entry.cancelled) return undefined;
      if (!notified || policy === undefined) {
        send();
        return undefined;
      }
      entry.awaitingReceipt = true;
      return afterNotificationsRead(session, controller.signal, policy).then(() => {
        if (!entry.cancelled) send();
      });
    };
    const succeed = (result: JsonObject): Promise<void> | undefined => answer(() => session.reply(id, this.shape(result, era, spec.cacheable === true)));
    const failed = (error: unknown): Promise<void> | undefined => answer(() => this.fail(session, id, method, era, error));
    const conclude = (answered: Promise<void> | undefined): void => {
      if (answered === undefined) finish();
      else answered.finally(finish).catch(onError);
    };
    // Handlers run now, not on a later tick: `initialize` must take effect before the next frame
    // of the same burst is admitted, and synchronous answers go out in request order.
    let outcome: JsonObject | Promise<JsonObject>;
    try {
      outcome = spec.handle(call);
    } catch (error) {
      conclude(failed(error));
      return;
    }
    if (!(outcome instanceof Promise)) {
      conclude(succeed(outcome));
      return;
    }
    outcome.then(succeed, failed).finally(finish).catch(onError);
  }

  /** Modern results say they are complete, carry cache hints on lists and reads, and name the server. */
  private shape(result: JsonObject, era: RequestEra, cacheable: boolean): JsonObject {
    if (era.kind === 'legacy') return result;
    const shaped: JsonObject = { ...result, resultType: result['resultType'] ?? 'complete' };
    if (cacheable) {
      shaped['ttlMs'] ??= this.options.cache.ttlMs;
      shaped['cacheScope'] ??= this.options.cache.scope;
    }
    const meta = (result['_meta'] as JsonObject | undefined) ?? {};
    shaped['_meta'] = { ...meta, [MetaKey.serverInfo]: this.options.serverInfo };
    return shaped;
  }

  private fail(session: McpSession, id: RequestId, method: string, era: RequestEra, error: unknown): void {
    if (error instanceof McpError) {
      this.replyMcpError(session, id, error);
      return;
    }
    if (error instanceof ResourceNotFoundError) {
      // 2026-07-28 retired -32002 in favour of -32602.
      const code = era.kind === 'modern' ? JsonRpcErrorCode.InvalidParams : JsonRpcErrorCode.ResourceNotFound;
      session.replyError(id, code, 'Resource not found', { uri: cutPeerText(error.uri) });
      return;
    }
    this.options.onInternalError(error, session, method);
    session.replyError(id, JsonRpcErrorCode.InternalError, 'Internal error');
  }

  private replyMcpError(session: McpSession, id: RequestId, error: McpError): void {
    session.replyError(id, error.code, error.message, error.data);
  }
}

/** Requests of `session` whose handlers are still running (a reply waiting for a read receipt holds no slot). */
function running(session: McpSession): number {
  let count = 0;
  for (const request of session.inFlight.values()) if (!request.awaitingReceipt) count += 1;
  return count;
}

/** Whether this request may run now on this connection; an error if not. */
function admission(spec: AnyMethodSpec, era: RequestEra, session: McpSession, method: string): McpError | undefined {
  if (era.kind === 'modern' && spec.eras === 'legacy') {
    return McpError.methodNotFound(method, 'Method not available in protocol revision 2026-07-28');
  }
  if (era.kind === 'legacy' && spec.eras === 'modern') {
    return McpError.methodNotFound(method, `Method needs the per-request _meta of protocol revision 2026-07-28 ("${MetaKey.protocolVersion}")`);
  }
  if (era.kind === 'legacy' && session.handshake === 'new' && spec.beforeInitialize !== true) {
    return McpError.invalidRequest(`Invalid request: ${method} before initialize; send initialize first (or the 2026-07-28 per-request _meta)`);
  }
  return undefined;
}
