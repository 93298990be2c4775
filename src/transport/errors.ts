/**
 * Typed transport errors. Each has a stable `code` to switch on; `message` says why in plain words.
 * Errors are values until the edge: the server reports them on `errors$`, the client rejects the
 * promise of the call that failed.
 */
export abstract class TransportError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The client is not connected and its send queue is disabled. */
export class NotConnectedError extends TransportError {
  readonly code = 'not_connected';
}

/** The client's offline send queue is full (by count or bytes). */
export class QueueFullError extends TransportError {
  readonly code = 'queue_full';
}

/** A queued message waited longer than the queue's `maxAgeMs` for a connection. */
export class QueueExpiredError extends TransportError {
  readonly code = 'queue_expired';
}

/** The transport was stopped: nothing more is sent or received. */
export class TransportStoppedError extends TransportError {
  readonly code = 'stopped';
}

/** The client gave up reconnecting: a fatal close code, or `maxRetries` used up. */
export class ConnectionFailedError extends TransportError {
  readonly code = 'connection_failed';
  constructor(
    message: string,
    readonly closeCode?: number,
    readonly closeReason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A promise convenience (`receiveMessage`, …) waited longer than its timeout. */
export class ReceiveTimeoutError extends TransportError {
  readonly code = 'timeout';
}

/** The server could not start listening (port in use, permission, bad address). */
export class ServerStartError extends TransportError {
  readonly code = 'start_failed';
}

/** A message exceeded `maxMessageSize`; the connection that sent it was closed with 1009. */
export class MessageTooLargeError extends TransportError {
  readonly code = 'message_too_large';
}

/** A client sent a frame that is not a JSON object (invalid JSON, not an object, binary). */
export class InvalidFrameError extends TransportError {
  readonly code = 'invalid_frame';
}

/** A message handler threw, rejected or errored; the client got a generic error reply. */
export class HandlerError extends TransportError {
  readonly code = 'handler_failed';
}

/** A socket-level error (reset, protocol violation) on one connection. */
export class SocketError extends TransportError {
  readonly code = 'socket_error';
}

/** The receive buffer was full and dropped its oldest message(s). */
export class InboxOverflowError extends TransportError {
  readonly code = 'inbox_overflow';
}

/** A message could not be serialised to JSON (cycle, BigInt). */
export class SerializationError extends TransportError {
  readonly code = 'serialization_failed';
}

/** An upgrade request was answered with an HTTP error instead of a socket (origin, host, auth, its deadline, connection rate). */
export class UpgradeRefusedError extends TransportError {
  readonly code = 'upgrade_refused';
  constructor(
    message: string,
    /** The HTTP status sent: 401, 403, 429, 500, or 503 (`authenticate` missed `authTimeoutMs`). */
    readonly status: number,
    /** The TCP peer that asked. */
    readonly remoteAddress: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The transport's own listener closed a TCP connection that had not finished its request headers
 * (nor, with TLS, its TLS handshake): either past `handshakeTimeoutMs` (`reason: 'timeout'`), or
 * as the oldest of too many such connections from one address (`'evicted'`, see
 * `maxPendingHandshakesPerAddress`). Nothing is sent to the peer.
 */
export class HandshakeDroppedError extends TransportError {
  readonly code = 'handshake_dropped';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'evicted',
    /** The TCP peer. */
    readonly remoteAddress: string,
  ) {
    super(message);
  }
}

/**
 * The reason a client's `signal` is aborted when the client is gone for good: its connection
 * closed (and, for a resumable client, its resume window passed). Work for it may stop.
 */
export class ClientGoneError extends TransportError {
  readonly code = 'client_gone';
}

/** A connection arrived while `maxClients` were connected; it was closed with 1013. */
export class ServerFullError extends TransportError {
  readonly code = 'server_full';
}

/** A client sent over its message rate; the message was refused (or, after repeated abuse, the connection closed with 1008). */
export class RateLimitedError extends TransportError {
  readonly code = 'rate_limited';
}

/** A client had `maxInFlight` handler calls running; its next message was refused. */
export class OverloadedError extends TransportError {
  readonly code = 'overloaded';
}

/**
 * Server side: a connection presented a session token and was not let into that session, because
 * the session belongs to another principal or is live on another connection. It got a fresh
 * session instead; the session it named is untouched. `clientId` on the event is the new connection's.
 */
export class ResumeRefusedError extends TransportError {
  readonly code = 'resume_refused';

  constructor(
    message: string,
    /** `principal`: opened by someone else. `live`: its socket answered a ping, so the client has not left. */
    readonly reason: 'principal' | 'live',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something went wrong on one connection, attributed to it where known. */
export interface TransportErrorEvent {
  readonly error: TransportError;
  /** The connection it concerns, when it concerns one. */
  readonly clientId?: string;
}

/**
 * The client asked to resume its session and the server could not (window passed, replay log
 * overflowed): messages sent while it was away are lost. It continues in a fresh session.
 */
export class SessionExpiredError extends TransportError {
  readonly code = 'session_expired';
}

/**
 * The cluster bus failed this node: it lost its broker, could not publish, or came back after a
 * loss (what other nodes published meanwhile may not have reached this node's clients).
 */
export class ClusterError extends TransportError {
  readonly code = 'cluster';
}
