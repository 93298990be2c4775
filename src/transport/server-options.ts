import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../protocol/index.js';
import type { ClientConnection } from './client-connection.js';
import type { HeartbeatOptions } from './heartbeat.js';
import { consoleLogger, silentLogger, type Logger } from './logger.js';
import { routeByType, type MessageHandler, type MessageHandlerMap } from './message-handler.js';

/** Why the server is about to send an error reply instead of calling the handler's reply. */
export type ReplyProblemKind = 'invalid_json' | 'not_an_object' | 'binary_frame' | 'handler_failed';

export interface ReplyProblem {
  readonly kind: ReplyProblemKind;
  /** Safe for the peer: never a stack or an internal message. */
  readonly message: string;
  /** The message being handled, for `handler_failed`. */
  readonly request?: JsonObject;
}

export interface ServerTransportOptions {
  /** Address to bind. Default `'0.0.0.0'` (every interface; a warning says so at start). */
  host?: string;
  /** Port to listen on; `0` picks a free one (read it from `address` after `start()`). Default 3001. */
  port?: number;
  /** Accept upgrades only on this path. Default: any path. */
  path?: string;
  /** Attach to this http(s) server instead of listening; its `listen()` and `close()` stay yours. */
  server?: HttpServer | HttpsServer;
  /** One handler for every message, or handlers keyed by the message's `type`. */
  messageHandler?: MessageHandler<ClientConnection> | MessageHandlerMap<ClientConnection>;
  /** Largest message accepted, bytes; a larger one closes its connection with 1009. Default 10 MiB. */
  maxMessageSize?: number;
  /** Ping every client each `interval` ms; terminate one that has not ponged within `timeout` ms. `false` disables. Default `{ interval: 30000, timeout: 10000 }`. */
  heartbeat?: Partial<HeartbeatOptions> | false;
  /** Subprotocols the server accepts, preferred first; the first one a client offers is echoed. Default `['mcp']`. */
  protocols?: readonly string[];
  /** What a binary frame gets: an error reply (`'reject'`, default) or close 1003 (`'close'`). */
  binaryFrames?: 'reject' | 'close';
  /** How long `stop()` waits for clients to finish the close handshake before terminating them, ms. Default 3000. */
  stopGraceMs?: number;
  /** Messages `receiveMessage()` keeps for a reader that is not waiting yet; oldest dropped past it. Default 1000. */
  inboxSize?: number;
  /** Shapes error replies; return `undefined` to send none. Default `{ type: 'error', error, code }`. */
  errorReply?: (problem: ReplyProblem) => JsonObject | undefined;
  /** Where warnings go; `false` silences them. Default `console`. */
  logger?: Logger | false;
  /** Time source for heartbeat and timeouts; tests pass a virtual one. */
  scheduler?: SchedulerLike;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { interval: 30_000, timeout: 10_000 };

export interface ResolvedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly server: HttpServer | HttpsServer | undefined;
  readonly handler: MessageHandler<ClientConnection> | undefined;
  readonly maxMessageSize: number;
  readonly heartbeat: HeartbeatOptions | undefined;
  readonly protocols: readonly string[];
  readonly binaryFrames: 'reject' | 'close';
  readonly stopGraceMs: number;
  readonly inboxSize: number;
  readonly errorReply: (problem: ReplyProblem) => JsonObject | undefined;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

export const defaultErrorReply = (problem: ReplyProblem): JsonObject => ({
  type: 'error',
  error: problem.message,
  code: problem.kind,
});

export function resolveServerOptions(options: ServerTransportOptions): ResolvedServerOptions {
  const handler = options.messageHandler;
  return {
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 3001,
    path: options.path,
    server: options.server,
    handler: typeof handler === 'function' ? handler : handler ? routeByType(handler) : undefined,
    maxMessageSize: positive('maxMessageSize', options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE),
    heartbeat: options.heartbeat === false ? undefined : { ...DEFAULT_HEARTBEAT, ...options.heartbeat },
    protocols: options.protocols ?? ['mcp'],
    binaryFrames: options.binaryFrames ?? 'reject',
    stopGraceMs: options.stopGraceMs ?? 3000,
    inboxSize: options.inboxSize ?? 1000,
    errorReply: options.errorReply ?? defaultErrorReply,
    logger: options.logger === false ? silentLogger : (options.logger ?? consoleLogger),
    scheduler: options.scheduler ?? asyncScheduler,
  };
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
