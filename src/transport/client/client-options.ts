import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import type { WebSocketConstructor } from './client-socket.js';
import { perMessageDeflateOptions, type CompressionOptions } from '../edges/compression.js';
import { resolveHeartbeat, type HeartbeatOptions } from '../operators/heartbeat.js';
import type { ReconnectPolicy } from '../operators/reconnect.js';
import type { SendQueueLimits } from './send-queue.js';
import { DEFAULT_HEARTBEAT, DEFAULT_MAX_MESSAGE_SIZE } from '../defaults.js';

/** The `reconnect` option of {@link ClientTransportOptions}: the backoff policy, and whether to reconnect at all. */
export interface ReconnectOptions extends Partial<ReconnectPolicy> {
  /** Reconnect after a drop. Default true. */
  enabled?: boolean;
}

/** Options of {@link WebSocketClientTransport}, all optional: handler, limits, heartbeat, reconnection, resumption. */
export interface ClientTransportOptions {
  /** Called with every incoming message (alongside `messages$` and `receiveMessage`). */
  messageHandler?: (message: JsonObject) => void | Promise<void>;
  /** Largest message accepted, bytes; a larger one closes with 1009 (fatal). Default 10 MiB. */
  maxMessageSize?: number;
  /** Subprotocols to offer. Default none. */
  protocols?: string | string[];
  /** Extra headers on the upgrade request (ws/Node only; browsers cannot set them). */
  headers?: Record<string, string>;
  /** ws-only socket options passed through (e.g. `ca` to trust a private CA for `wss://`, `rejectUnauthorized`). */
  socketOptions?: object;
  /** Offer permessage-deflate (ws/Node only; browsers negotiate it themselves). Inflated size is capped by `maxMessageSize`. Default off. */
  compression?: boolean | CompressionOptions;
  /** Ping each `interval` ms, reconnect if no pong within `timeout` (ws/Node only). `false` disables. Default `{ interval: 30000, timeout: 10000 }`. */
  heartbeat?: Partial<HeartbeatOptions> | false;
  /** Reconnection with full-jitter backoff. Default `{ enabled: true, maxRetries: 10, initialDelay: 500, maxDelay: 30000 }`; `false` disables. */
  reconnect?: ReconnectOptions | false;
  /** Give up on one connection attempt after this long, ms. Default 10000. */
  connectTimeout?: number;
  /** Bounds of the queue that holds sends while reconnecting; `false` rejects them at once. Default `{ maxCount: 1000, maxBytes: 1 MiB, maxAgeMs: 30000 }`. */
  queue?: Partial<SendQueueLimits> | false;
  /** Messages kept for `receiveMessage()` between calls; the oldest is dropped past it. Default 1000. */
  inboxSize?: number;
  /** The WebSocket implementation. Default: ws in Node, `globalThis.WebSocket` in the browser build (`nexus-mcp/browser`). */
  WebSocket?: WebSocketConstructor;
  /** Time source for backoff, heartbeat, queue ages and timeouts; tests pass a virtual one. */
  scheduler?: SchedulerLike;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Ask the server for a resumable session, and resume it after a drop: the server replays what
   * was missed, exactly once, in order. Servers that do not offer sessions are simply not asked
   * again. Default true.
   */
  resume?: boolean;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { maxRetries: 10, initialDelay: 500, maxDelay: 30_000 };
export const DEFAULT_QUEUE: SendQueueLimits = { maxCount: 1000, maxBytes: 1024 * 1024, maxAgeMs: 30_000 };

export interface ResolvedClientOptions {
  readonly messageHandler: ((message: JsonObject) => void | Promise<void>) | undefined;
  readonly maxMessageSize: number;
  readonly protocols: string | string[] | undefined;
  readonly socketOptions: object;
  readonly heartbeat: HeartbeatOptions | undefined;
  readonly reconnect: ReconnectPolicy;
  readonly connectTimeout: number;
  readonly queue: SendQueueLimits | undefined;
  readonly inboxSize: number;
  readonly WebSocket: WebSocketConstructor;
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
  readonly resume: boolean;
}

/**
 * The options with their defaults. `defaultWebSocket` is the platform's constructor, handed in by
 * the entry point's own client (ws in Node, the native one in browsers) so that this module, shared
 * by both, imports neither.
 */
export function resolveClientOptions(options: ClientTransportOptions, defaultWebSocket: WebSocketConstructor): ResolvedClientOptions {
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const reconnect = options.reconnect === false || options.reconnect?.enabled === false ? { maxRetries: 0 } : options.reconnect;
  return {
    messageHandler: options.messageHandler,
    maxMessageSize,
    protocols: options.protocols,
    socketOptions: {
      maxPayload: maxMessageSize,
      perMessageDeflate: perMessageDeflateOptions(options.compression),
      ...(options.headers ? { headers: options.headers } : {}),
      ...options.socketOptions,
    },
    heartbeat: resolveHeartbeat(options.heartbeat, DEFAULT_HEARTBEAT),
    reconnect: { ...DEFAULT_RECONNECT, ...reconnect },
    connectTimeout: options.connectTimeout ?? 10_000,
    queue: options.queue === false ? undefined : { ...DEFAULT_QUEUE, ...options.queue },
    inboxSize: options.inboxSize ?? 1000,
    WebSocket: options.WebSocket ?? defaultWebSocket,
    scheduler: options.scheduler ?? asyncScheduler,
    random: options.random ?? Math.random,
    resume: options.resume ?? true,
  };
}
