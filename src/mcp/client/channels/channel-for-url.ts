import type { SchedulerLike } from 'rxjs';
import type { ReconnectPolicy } from '../../../transport/operators/reconnect.js';
import { PLAIN_CLIENT, transportChannel, type ClientChannel, type SocketTransportFactory } from './client-channel.js';
import { HttpChannel, type HttpChannelSettings } from './http-channel.js';
import type { ResolvedClientOptions } from '../simple-client-options.js';

/** How broken Streamable HTTP event streams are resumed unless `transport.reconnect` says otherwise: as the WebSocket client reconnects. */
export const DEFAULT_STREAM_RECONNECT: ReconnectPolicy = { maxRetries: 10, initialDelay: 500, maxDelay: 30_000 };
/** Largest message over Streamable HTTP unless `transport.maxMessageSize` says otherwise (the WebSocket client's default). */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
/** Bound on the wait for response headers (GET, DELETE, notifications) unless `transport.connectTimeout` says otherwise, ms. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Whether a URL is served over Streamable HTTP (`http://`, `https://`) rather than WebSocket. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * Opens the connection a `SimpleMCPClient` uses. Each platform's client brings its own: Node's
 * adds stdio and runs WebSocket on ws, the browser's runs on the native WebSocket.
 */
export type ChannelOpener = (url: string, options: ResolvedClientOptions, scheduler: SchedulerLike) => ClientChannel;

/**
 * The connection for a URL: Streamable HTTP for `http://` and `https://`, the platform's
 * `WebSocketClientTransport` for anything else (`ws://`, `wss://`). On the legacy path
 * (`useTransport: false`) the WebSocket has no reconnection, and HTTP event streams are not resumed.
 */
export function networkChannel(url: string, options: ResolvedClientOptions, scheduler: SchedulerLike, createTransport: SocketTransportFactory): ClientChannel {
  if (isHttpUrl(url)) return new HttpChannel(url, httpSettings(options, scheduler));
  if (options.useTransport === false) return transportChannel(url, { ...options.transport, ...PLAIN_CLIENT, scheduler }, createTransport);
  return transportChannel(url, { ...options.transport, resume: options.resume ?? true, scheduler }, createTransport);
}

/** What of the options counts over HTTP: the `transport` options that mean something there, and `fetch`. */
function httpSettings(options: ResolvedClientOptions, scheduler: SchedulerLike): HttpChannelSettings {
  const transport = options.transport ?? {};
  const off = options.useTransport === false || transport.reconnect === false || transport.reconnect?.enabled === false;
  const reconnect: ReconnectPolicy = { ...DEFAULT_STREAM_RECONNECT, ...(transport.reconnect === false ? {} : transport.reconnect) };
  const fetchImplementation = options.fetch;
  return {
    headers: transport.headers ?? {},
    // Looked up at each call, so that a fetch installed later (or replaced in a test) is the one used.
    fetch: fetchImplementation ?? ((input, init) => globalThis.fetch(input, init)),
    connectTimeoutMs: transport.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxMessageSize: transport.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    reconnect: off || reconnect.maxRetries <= 0 ? undefined : reconnect,
    random: transport.random ?? Math.random,
    scheduler,
  };
}
