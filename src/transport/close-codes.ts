/**
 * WebSocket close codes the transport sends, and how a client treats each when it sees it.
 * `retry`: reconnect with backoff. `fatal`: stop and report; reconnecting would fail again or
 * was not wanted.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
export const CloseCode = {
  /** Closed on purpose by one side (`stop()`, `closeClient`). */
  Normal: 1000,
  /** The server is shutting down; another instance may take over. */
  GoingAway: 1001,
  /** The peer broke the WebSocket protocol. */
  ProtocolError: 1002,
  /** A frame of a kind this endpoint does not accept (binary, when configured to close). */
  UnsupportedData: 1003,
  /** No close frame: the connection dropped. Never sent, only observed. */
  Abnormal: 1006,
  /** A text frame that is not valid UTF-8. */
  InvalidPayload: 1007,
  /** The peer broke a policy (origin, rate, slow consumer). */
  PolicyViolation: 1008,
  /** A message exceeded `maxMessageSize`. */
  MessageTooBig: 1009,
  /** The server hit an unexpected condition. */
  InternalError: 1011,
  /** The server is restarting. */
  ServiceRestart: 1012,
  /** The server is overloaded or full; try again later. */
  TryAgainLater: 1013,
  /** Application range: the heartbeat saw no pong in time. */
  HeartbeatTimeout: 4000,
  /** Application range: authentication failed; retrying with the same credentials is pointless. */
  Unauthorized: 4001,
  /** Application range: forbidden. */
  Forbidden: 4003,
} as const;

/** What a client does after a close code: reconnect (`retry`), or give up (`fatal`). */
export type CloseDisposition = 'retry' | 'fatal';

const fatalCodes: ReadonlySet<number> = new Set([
  CloseCode.Normal,
  CloseCode.ProtocolError,
  CloseCode.UnsupportedData,
  CloseCode.InvalidPayload,
  CloseCode.PolicyViolation,
  CloseCode.MessageTooBig,
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
]);

/**
 * Decides whether a client reconnects after seeing `code`.
 *
 * Codes 1000–1015 follow the table above (unknown ones retry); 3000–3999 (registered by
 * libraries) and 4000–4999 (private) are fatal except the ones this transport sends to mean
 * "try again" (4000). Everything else retries.
 */
export function classifyCloseCode(code: number): CloseDisposition {
  if (fatalCodes.has(code)) return 'fatal';
  if (code === CloseCode.HeartbeatTimeout) return 'retry';
  if (code >= 3000 && code <= 4999) return 'fatal';
  return 'retry';
}

/** 1000–1014 except the three reserved for "no frame" cases, or the registered and private ranges. */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1014) return code !== 1004 && code !== 1005 && code !== 1006;
  return code >= 3000 && code <= 4999;
}
