import * as E from 'fp-ts/lib/Either.js';
import { jsonRpcError, jsonRpcResult, JsonRpcErrorCode, MetaKey, type CacheScope, type Implementation, type JsonObject, type JsonRpcRequest, type RequestId } from '../../../protocol/index.js';
import { cutPeerText, TransportStoppedError } from '../../../transport/index.js';
import { ConnectionClosedError, McpError, ServerStoppingError } from '../../mcp-error.js';
import { ResourceNotFoundError } from '../../registries/resource-registry.js';
import { requestKey } from '../../request-correlator.js';
import type { InputChannel } from './client-requests.js';
import { createHandlerContext } from './handler-context.js';
import { openInputRound, type InputRound, type InputRoundSettings } from './input-round.js';
import type { AnyMethodSpec, MethodCall } from '../methods/method-spec.js';
import { progressTokenOf } from '../methods/negotiation.js';
import { afterNotificationsRead, type ReceiptPolicy } from './notification-receipt.js';
import { requestChannel, unavailableChannel } from './request-channel.js';
import type { InFlightRequest, McpSession, RequestEra } from '../sessions/session.js';

/** What running a request needs from the server. */
export interface RunSettings {
  readonly serverInfo: Implementation;
  readonly cache: { readonly ttlMs: number; readonly scope: CacheScope };
  /** How a reply after notifications of its request waits for the client to read them; `undefined`: it does not wait. */
  readonly notificationReceipt: ReceiptPolicy | undefined;
  /** A handler threw something that is not an `McpError`: the client gets -32603, this gets the details. */
  readonly onInternalError: (error: unknown, session: McpSession, method: string) => void;
  readonly isStopping: () => boolean;
  /** Handshake era: how long a handler's request to the client waits for its answer when the handler does not say, ms. */
  readonly clientRequestTimeoutMs: number;
  /** 2026-07-28: how input-required rounds seal their state, and for how long it is good. */
  readonly inputRounds: InputRoundSettings;
}

/** A request the dispatcher admitted, with its params decoded. */
export interface AdmittedRequest {
  readonly session: McpSession;
  readonly request: JsonRpcRequest;
  readonly spec: AnyMethodSpec;
  readonly era: RequestEra;
  readonly params: unknown;
}

type Outcome = { readonly ok: true; readonly result: JsonObject } | { readonly ok: false; readonly error: unknown };

/**
 * Runs one admitted request and gives back its reply: at once when the handler answers at once
 * (the hot path, no allocation beyond the reply), else as a promise of it. The handler's signal is
 * aborted when its client is gone for good (`ConnectionClosedError`), when a stopping server's
 * drain is over (`ServerStoppingError`: what it answers within the stop grace still goes out), by
 * `notifications/cancelled` (then no reply is sent at all), or, in 2026-07-28, when its asking the
 * client ended the round (`InputRequiredError`: the reply is the `input_required` result).
 *
 * Handlers run now, not on a later tick: `initialize` must take effect before the next frame of
 * the same burst, and synchronous answers go out in request order.
 */
export function runRequest(admitted: AdmittedRequest, settings: RunSettings): JsonObject | Promise<JsonObject | undefined> {
  const { session, request, spec, era, params } = admitted;
  const { id, method } = request;
  const key = requestKey(id);
  const controller = new AbortController();
  // 2026-07-28: a request that may be answered input_required reads the answers its retry carries.
  let round: InputRound | undefined;
  if (era.kind === 'modern' && spec.inputRequired === true) {
    const principal = session.authInfo?.clientId ?? null;
    const opened = openInputRound({ method, params: request.params, principal }, settings.inputRounds, (reason) => controller.abort(reason));
    if (E.isLeft(opened)) return jsonRpcError(id, opened.left.code, opened.left.message, opened.left.data);
    round = opened.right;
  }
  const entry: InFlightRequest = { id, method, controller, cancelled: false };
  session.inFlight.set(key, entry);
  // An object, not two lets: the handler's context sets these from callbacks.
  const state = { open: true, notified: false };
  const isOpen = (): boolean => state.open && !entry.cancelled;
  const ctx = createHandlerContext({
    session,
    requestId: id,
    era,
    signal: controller.signal,
    progressToken: progressTokenOf(request.params),
    link: { isOpen, notified: () => (state.notified = true) },
    channel: (): InputChannel =>
      round ?? (era.kind === 'modern' ? unavailableChannel(method) : requestChannel(session, { id, method, signal: controller.signal, isOpen }, settings.clientRequestTimeoutMs)),
  });
  const finish = (): void => {
    state.open = false;
    if (session.inFlight.get(key) === entry) session.inFlight.delete(key);
  };
  const reply = (outcome: Outcome): JsonObject =>
    outcome.ok ? jsonRpcResult(id, shape(outcome.result, era, spec.cacheable === true, settings)) : errorReply(admitted, outcome.error, settings);

  let outcome: Outcome | Promise<Outcome>;
  try {
    const result = spec.handle({ params, session, id, era, ctx } satisfies MethodCall<unknown>);
    outcome =
      result instanceof Promise
        ? result.then(
            (value): Outcome => ({ ok: true, result: value }),
            (error: unknown): Outcome => ({ ok: false, error }),
          )
        : { ok: true, result };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (round !== undefined) outcome = withInputRound(outcome, round);
  if (!(outcome instanceof Promise) && !state.notified) {
    finish();
    return reply(outcome);
  }
  // The pipeline ends this client's work when it is gone, or when a stopping server's drain is
  // over: the handler's signal follows, with the reason MCP gives for each.
  const unlink = followAbort(session.peer.signal, controller);
  return Promise.resolve(outcome)
    .then(async (result) => {
      state.open = false;
      const policy = settings.notificationReceipt;
      // A reply after notifications of its own request waits until the client has read them.
      if (state.notified && policy && !entry.cancelled) await afterNotificationsRead(session, controller.signal, policy);
      return entry.cancelled ? undefined : reply(result);
    })
    .catch((error: unknown) => {
      settings.onInternalError(error, session, method);
      return undefined;
    })
    .finally(() => {
      unlink();
      finish();
    });
}

/**
 * The outcome of a request whose handler may ask for input: once it asked something the client has
 * not answered, the result is `input_required` (whatever the handler does after that; its signal
 * is aborted and its pending asks reject).
 */
function withInputRound(outcome: Outcome | Promise<Outcome>, round: InputRound): Outcome | Promise<Outcome> {
  if (!(outcome instanceof Promise) && !round.asked) return outcome;
  const required = round.required.then((result): Outcome => ({ ok: true, result: { ...result } }));
  return Promise.race([Promise.resolve(outcome).then((settled) => (round.asked ? required : settled)), required]);
}

/** Aborts `controller` when `signal` aborts, translating the transport's reasons into MCP's; returns the undo. */
function followAbort(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (!signal) return () => undefined;
  const abort = (): void => {
    const reason: unknown = signal.reason;
    controller.abort(
      reason instanceof TransportStoppedError ? new ServerStoppingError('The server is stopping') : new ConnectionClosedError('The client disconnected'),
    );
  };
  if (signal.aborted) {
    abort();
    return () => undefined;
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

/** Modern results say they are complete, carry cache hints on lists and reads, and name the server. */
function shape(result: JsonObject, era: RequestEra, cacheable: boolean, settings: RunSettings): JsonObject {
  if (era.kind === 'legacy') return result;
  const shaped: JsonObject = { ...result, resultType: result['resultType'] ?? 'complete' };
  if (cacheable && shaped['resultType'] === 'complete') {
    shaped['ttlMs'] ??= settings.cache.ttlMs;
    shaped['cacheScope'] ??= settings.cache.scope;
  }
  const meta = (result['_meta'] as JsonObject | undefined) ?? {};
  shaped['_meta'] = { ...meta, [MetaKey.serverInfo]: settings.serverInfo };
  return shaped;
}

/** The JSON-RPC error a failed handler answers with: its own `McpError`, a missing resource, or -32603 (details to `errors$` only). */
function errorReply({ session, request, era }: AdmittedRequest, error: unknown, settings: RunSettings): JsonObject {
  const id: RequestId = request.id;
  if (error instanceof McpError) return jsonRpcError(id, error.code, error.message, error.data);
  if (error instanceof ResourceNotFoundError) {
    // 2026-07-28 retired -32002 in favour of -32602.
    const code = era.kind === 'modern' ? JsonRpcErrorCode.InvalidParams : JsonRpcErrorCode.ResourceNotFound;
    return jsonRpcError(id, code, 'Resource not found', { uri: cutPeerText(error.uri) });
  }
  settings.onInternalError(error, session, request.method);
  return jsonRpcError(id, JsonRpcErrorCode.InternalError, 'Internal error');
}
