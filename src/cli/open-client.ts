import { SimpleMCPClient } from '../mcp/index.js';
import { UsageError } from './command.js';

/** How the one-shot commands (`tools`, `call`) reach a server. */
export interface McpClientSettings {
  /** Extra request headers (`--header`, `--token`). */
  readonly headers: Record<string, string>;
  /** Bound on connecting and on each request, ms (`--timeout-ms`). */
  readonly timeoutMs: number;
  /** Sent as `clientInfo` in `initialize`. */
  readonly clientVersion: string;
}

/**
 * A client for the server at `url`, chosen by its scheme: the one place the CLI decides how to
 * speak to a URL. `ws://` and `wss://` go over `SimpleMCPClient`'s WebSocket transport, without
 * reconnection (a one-shot command should fail fast, not retry). `http://` and `https://` will go
 * to the same client once it speaks Streamable HTTP; until then they are refused as usage errors.
 */
export function openMcpClient(url: string, settings: McpClientSettings): SimpleMCPClient {
  const scheme = schemeOf(url);
  switch (scheme) {
    case 'ws:':
    case 'wss:':
      return new SimpleMCPClient({
        url,
        clientInfo: { name: 'nexus-mcp-cli', version: settings.clientVersion },
        requestTimeoutMs: settings.timeoutMs,
        resume: false,
        transport: { headers: settings.headers, reconnect: false, heartbeat: false, connectTimeout: settings.timeoutMs },
      });
    case 'http:':
    case 'https:':
      throw new UsageError(`${url}: Streamable HTTP is not supported by this version yet; use a ws:// or wss:// URL`);
    default:
      throw new UsageError(`${url}: the URL must start with ws://, wss://, http:// or https://`);
  }
}

/** The scheme of a URL (`'ws:'`), or a `UsageError` when it is no URL at all. */
export function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    throw new UsageError(`${JSON.stringify(url)} is not a URL (expected something like ws://127.0.0.1:3001)`);
  }
}
