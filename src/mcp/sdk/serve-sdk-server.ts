// Only SDK *types* are imported: the SDK is an optional peer and must never load with the core.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Subject, Subscription } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { CloseCode, type ClientConnection, type ClientInfo, type WebSocketServerTransport } from '../../transport/index.js';
import { SdkConnectionTransport } from './sdk-connection-transport.js';


/** What `serveSdkServer` needs of an SDK server: `McpServer` and `Server` both fit. */
export interface SdkServerLike {
  /** Starts serving one connection through `transport`. */
  connect(transport: Transport): Promise<void>;
  /** Stops serving; called when its client leaves or serving stops. */
  close(): Promise<void>;
}

/**
 * Makes a fresh SDK server for one client. Must return a new instance each time: an SDK server
 * serves exactly one connection.
 */
export type SdkServerFactory = (client: ClientInfo) => SdkServerLike | Promise<SdkServerLike>;

/** Options of `serveSdkServer`: per-connection auth info, and where failures go. */
export interface ServeSdkServerOptions {
  /** Auth info for a connection, from its upgrade request (`client.request.headers`, `.url`); handlers read it as `extra.authInfo`. */
  readonly authInfo?: (client: ClientInfo) => AuthInfo | undefined;
  /**
   * Problems the SDK cannot see: a factory that throws, a `connect()` or `close()` that rejects.
   * That client is closed with 1011. Default: an `error` line on the transport's logger, with the
   * client's `clientId` bound and the error as `err`.
   */
  readonly onError?: (error: Error, client: ClientInfo) => void;
}

/**
 * Serves an official-SDK MCP server over `WebSocketServerTransport`: one SDK server per
 * connection, made by `createServer` and connected through an `SdkConnectionTransport`. Clients
 * already connected are served too, from their next message on. Unsubscribing the returned
 * subscription stops serving: every SDK server is closed, and with it its client's socket.
 *
 * Create the transport with `mcpTransportOptions` so bad frames get JSON-RPC errors, and
 * without a `messageHandler`, whose replies would reach the client too.
 *
 * @example
 * const transport = new WebSocketServerTransport({ host: '127.0.0.1', port: 3001, ...mcpTransportOptions });
 * const serving = serveSdkServer(transport, () => {
 *   const server = new McpServer({ name: 'demo', version: '1.0.0' });
 *   server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }));
 *   return server;
 * });
 * await transport.start();
 * @see docs/interop.md
 */
export function serveSdkServer(
  transport: WebSocketServerTransport,
  createServer: SdkServerFactory,
  options: ServeSdkServerOptions = {},
): Subscription {
  const report = options.onError ?? ((error: Error, client: ClientInfo) => logSdkFailure(transport, error, client));
  // One subscription routes every message to its connection: no per-connection filter over the shared stream.
  const inboxes = new Map<string, Subject<JsonObject>>();
  const serving = new Subscription();
  serving.add(transport.messages$.subscribe(({ client, message }) => inboxes.get(client.id)?.next(message)));

  const serve = (connection: ClientConnection): void => {
    if (!connection.isOpen) return;
    const client = connection.toInfo();
    const fail = (error: unknown): undefined => {
      report(error instanceof Error ? error : new Error(String(error)), client);
      connection.close(CloseCode.InternalError, 'MCP server failed');
      return undefined;
    };
    const inbox = new Subject<JsonObject>();
    inboxes.set(connection.id, inbox);

    let adapter: SdkConnectionTransport;
    try {
      const authInfo = options.authInfo?.(client);
      adapter = new SdkConnectionTransport(connection, inbox, authInfo === undefined ? {} : { authInfo });
    } catch (error) {
      inboxes.delete(connection.id);
      fail(error);
      return;
    }
    // The server is closed only once connected: a factory that wrongly hands out a server already
    // serving another client must not have that other client closed on its behalf.
    const connected: Promise<SdkServerLike | undefined> = (async () => {
      const server = await createServer(client);
      await server.connect(adapter);
      return server;
    })().catch(fail);

    const session = new Subscription(() => {
      inboxes.delete(connection.id);
      inbox.complete();
      void connected.then((server) => server?.close()).catch(fail);
    });
    session.add(() => serving.remove(session));
    serving.add(session);
    session.add(connection.closed$.subscribe(() => session.unsubscribe()));
  };

  for (const connection of transport.getClients()) serve(connection);
  serving.add(transport.connections$.subscribe(serve));
  return serving;
}

function logSdkFailure(transport: WebSocketServerTransport, error: Error, client: ClientInfo): void {
  transport.logger.child({ clientId: client.id }).error({ err: error }, `nexus-mcp: SDK server failed: ${error.message}`);
}
