import type * as t from 'io-ts';
import type { JsonObject, RequestId } from '../../../protocol/index.js';
import type { HandlerContext } from '../requests/handler-context.js';
import type { McpSession, RequestEra } from '../sessions/session.js';

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
  /** 2026-07-28: the result may be `input_required` (its handler may ask the client for input): tools/call, prompts/get, resources/read. */
  readonly inputRequired?: boolean;
  readonly handle: (call: MethodCall<P>) => JsonObject | Promise<JsonObject>;
}

/** A method table entry with its params type erased, so one map holds them all. */
export interface AnyMethodSpec {
  readonly params: t.Decoder<unknown, unknown>;
  readonly eras: 'legacy' | 'modern' | 'both';
  readonly beforeInitialize?: boolean;
  readonly cacheable?: boolean;
  readonly inputRequired?: boolean;
  readonly handle: (call: MethodCall<unknown>) => JsonObject | Promise<JsonObject>;
}

export function defineMethod<P>(spec: MethodSpec<P>): AnyMethodSpec {
  return spec as unknown as AnyMethodSpec;
}

/** What a client's notification does to its session; notifications get no reply. */
export type NotificationHandler = (params: JsonObject, session: McpSession) => void;
