import {
  LifecycleMethod,
  type ClientCapabilities,
  type CreateMessageParams,
  type CreateMessageResult,
  type ElicitParams,
  type ElicitResult,
  type Implementation,
  type JsonObject,
  type ListRootsResult,
  type LoggingLevel,
  type ProgressToken,
  type RequestId,
} from '../../../protocol/index.js';
import type { AuthInfo, UpgradeRequestInfo } from '../../../transport/index.js';
import { clientRequests, type ClientRequestOptions, type ClientRequests, type InputChannel } from './client-requests.js';
import { levelPasses, type McpSession, type RequestEra } from '../sessions/session.js';

/**
 * What a tool, resource or prompt handler knows about the call it serves, and how it talks back
 * while it runs.
 */
export interface HandlerContext {
  /** Aborted when the client cancels the request, disconnects, or the server stops. */
  readonly signal: AbortSignal;
  /** The connection's id (the transport's client id). */
  readonly sessionId: string;
  readonly requestId: RequestId;
  /** The revision this request is served under. */
  readonly protocolVersion: string | undefined;
  /** The client's self-reported name and version (from `initialize`, or this request's `_meta`). */
  readonly clientInfo: Implementation | undefined;
  readonly clientCapabilities: ClientCapabilities;
  /** Who the transport's `authenticate` hook accepted the connection as. */
  readonly authInfo: AuthInfo | undefined;
  /** The HTTP upgrade request of the connection: url and headers. */
  readonly request: UpgradeRequestInfo;
  /**
   * Sends `notifications/progress` with the caller's token. Returns false (and sends nothing) when the
   * request carried no `_meta.progressToken`, when `progress` does not increase, or once the handler
   * has finished. The reply then waits until the client has read it (`notificationReceiptMs`).
   */
  progress(progress: number, total?: number, message?: string): boolean;
  /**
   * Sends `notifications/message` if `level` passes the client's threshold (`logging/setLevel`, or
   * the request's `_meta` log level in 2026-07-28, where no level means no messages). Like progress,
   * the reply waits until the client has read it.
   */
  log(level: LoggingLevel, data: unknown, logger?: string): boolean;
  /**
   * Asks the client's model for a message (`sampling/createMessage`). Needs the client's `sampling`
   * capability (`sampling.tools` when `params` has `tools` or `toolChoice`), else rejects with a
   * `ClientRequestError` -32021. Handshake era: a request to the client, tied to this one (aborted
   * with its signal; `options.timeoutMs`, default `clientRequestTimeoutMs`). 2026-07-28: the
   * request is answered `input_required` and the client's retry carries the answer (see
   * docs/mcp.md: the handler runs again from the top, and this call then resolves).
   */
  sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult>;
  /**
   * Asks the user, through the client, to fill in a form (`requestedSchema`: flat fields of string,
   * number, integer, boolean, single and multi-select enums, titled or not, with defaults) or to
   * visit a URL (`mode: "url"`). Needs the client's `elicitation` capability for that mode. An
   * accepted form's `content` is checked against the schema (`ClientRequestError` -32602 when it
   * does not fit). Carried as `sample` is.
   */
  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>;
  /** Asks the client for its roots (`roots/list`). Needs the client's `roots` capability. Carried as `sample` is. */
  listRoots(options?: ClientRequestOptions): Promise<ListRootsResult>;
}

/** How a request's context reaches back to the request it serves. */
export interface RequestLink {
  /** False once the handler has finished or the request was cancelled: nothing more is sent for it. */
  isOpen(): boolean;
  /** A notification of this request went out: its reply must not overtake it (see `afterNotificationsRead`). */
  notified(): void;
}

/** The request a context serves. */
export interface RequestScope {
  readonly session: McpSession;
  readonly requestId: RequestId;
  readonly era: RequestEra;
  readonly signal: AbortSignal;
  readonly progressToken: ProgressToken | undefined;
  readonly link: RequestLink;
  /** How its requests to the client travel (a JSON-RPC request, or a question of an input round); made on first use. */
  readonly channel: () => InputChannel;
}

/** Builds the context of one request. */
export function createHandlerContext(scope: RequestScope): HandlerContext {
  const { session, requestId, era, signal, progressToken, link } = scope;
  let lastProgress = -Infinity;
  const modern = era.kind === 'modern' ? era : undefined;
  const clientCapabilities = modern ? modern.clientCapabilities : session.clientCapabilities;
  // Made on first use: most handlers never ask the client anything.
  let made: ClientRequests | undefined;
  const asks = (): ClientRequests => (made ??= clientRequests(clientCapabilities, era.kind, scope.channel()));
  return {
    signal,
    sessionId: session.id,
    requestId,
    protocolVersion: modern ? modern.protocolVersion : session.protocolVersion,
    clientInfo: modern ? (modern.clientInfo ?? session.clientInfo) : session.clientInfo,
    clientCapabilities,
    authInfo: session.authInfo,
    request: session.peer.request,
    sample: (params, options) => asks().sample(params, options),
    elicit: (params, options) => asks().elicit(params, options),
    listRoots: (options) => asks().listRoots(options),
    progress(progress, total, message) {
      if (progressToken === undefined || !link.isOpen() || !(progress > lastProgress)) return false;
      lastProgress = progress;
      const params: JsonObject = { progressToken, progress };
      if (total !== undefined) params['total'] = total;
      if (message !== undefined) params['message'] = message;
      return sent(session.notify(LifecycleMethod.progress, params, requestId));
    },
    log(level, data, logger) {
      if (!link.isOpen()) return false;
      const minimum = modern ? modern.logLevel : session.logLevel;
      if (modern && minimum === undefined) return false;
      if (!levelPasses(level, minimum)) return false;
      const params: JsonObject = logger === undefined ? { level, data } : { level, logger, data };
      return sent(session.notify(LifecycleMethod.message, params, requestId));
    },
  };

  function sent(delivered: boolean): boolean {
    if (delivered) link.notified();
    return delivered;
  }
}
