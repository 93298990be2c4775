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

/** Where a one-shot command finds its server: a URL, or a stdio server to start (the command after `--`). */
export type McpTarget = { readonly url: string } | { readonly command: readonly string[]; readonly stderr: (line: string) => void };

/**
 * A client for `target`: a stdio server it starts (`SimpleMCPClient`'s `command`), or a URL, by
 * its scheme (`openMcpClient` below).
 */
export function openTarget(target: McpTarget, settings: McpClientSettings): SimpleMCPClient {
  if ('url' in target) return openMcpClient(target.url, settings);
  const [command = '', ...args] = target.command;
  return new SimpleMCPClient({
    command: { command, args, stderr: target.stderr },
    clientInfo: { name: 'nexus-mcp-cli', version: settings.clientVersion },
    requestTimeoutMs: settings.timeoutMs,
  });
}

/**
 * A client for the server at `url`, chosen by its scheme: the one place the CLI decides how to
 * speak to a URL. `ws://` and `wss://` go over `SimpleMCPClient`'s WebSocket transport, without
 * reconnection (a one-shot command should fail fast, not retry). `http://` and `https://` go over
 * its Streamable HTTP transport; a reply stream that breaks is still resumed (`Last-Event-ID`),
 * since that is how the protocol delivers a reply, within the request's timeout.
 */
export function openMcpClient(url: string, settings: McpClientSettings): SimpleMCPClient {
  const scheme = schemeOf(url);
  const clientInfo = { name: 'nexus-mcp-cli', version: settings.clientVersion };
  switch (scheme) {
    case 'ws:':
    case 'wss:':
      return new SimpleMCPClient({
        url,
        clientInfo,
        requestTimeoutMs: settings.timeoutMs,
        resume: false,
        transport: { headers: settings.headers, reconnect: false, heartbeat: false, connectTimeout: settings.timeoutMs },
      });
    case 'http:':
    case 'https:':
      return new SimpleMCPClient({
        url,
        clientInfo,
        requestTimeoutMs: settings.timeoutMs,
        transport: { headers: settings.headers, connectTimeout: settings.timeoutMs },
      });
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
