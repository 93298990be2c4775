import {
  LifecycleMethod,
  type ClientCapabilities,
  type Implementation,
  type JsonObject,
  type LoggingLevel,
  type ProgressToken,
  type RequestId,
} from '../../protocol/index.js';
import type { AuthInfo, UpgradeRequestInfo } from '../../transport/index.js';
import { levelPasses, type McpSession, type RequestEra } from './session.js';

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
}

/** How a request's context reaches back to the request it serves. */
export interface RequestLink {
  /** False once the handler has finished or the request was cancelled: nothing more is sent for it. */
  isOpen(): boolean;
  /** A notification of this request went out: its reply must not overtake it (see `afterNotificationsRead`). */
  notified(): void;
}

/** Builds the context of one request. */
export function createHandlerContext(
  session: McpSession,
  requestId: RequestId,
  era: RequestEra,
  signal: AbortSignal,
  progressToken: ProgressToken | undefined,
  link: RequestLink,
): HandlerContext {
  let lastProgress = -Infinity;
  const modern = era.kind === 'modern' ? era : undefined;
  return {
    signal,
    sessionId: session.id,
    requestId,
    protocolVersion: modern ? modern.protocolVersion : session.protocolVersion,
    clientInfo: modern ? (modern.clientInfo ?? session.clientInfo) : session.clientInfo,
    clientCapabilities: modern ? modern.clientCapabilities : session.clientCapabilities,
    authInfo: session.authInfo,
    request: session.peer.request,
    progress(progress, total, message) {
      if (progressToken === undefined || !link.isOpen() || !(progress > lastProgress)) return false;
      lastProgress = progress;
      const params: JsonObject = { progressToken, progress };
      if (total !== undefined) params['total'] = total;
      if (message !== undefined) params['message'] = message;
      return sent(session.notify(LifecycleMethod.progress, params));
    },
    log(level, data, logger) {
      if (!link.isOpen()) return false;
      const minimum = modern ? modern.logLevel : session.logLevel;
      if (modern && minimum === undefined) return false;
      if (!levelPasses(level, minimum)) return false;
      const params: JsonObject = logger === undefined ? { level, data } : { level, logger, data };
      return sent(session.notify(LifecycleMethod.message, params));
    },
  };

  function sent(delivered: boolean): boolean {
    if (delivered) link.notified();
    return delivered;
  }
}
