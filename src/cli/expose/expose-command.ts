import { createHash, timingSafeEqual } from 'node:crypto';
import { mcpTransportOptions } from '../../mcp/index.js';
import { mcpStreamableHttp } from '../../mcp/server/framing/mcp-http.js';
import { bearerAuth, WebSocketServerTransport, type Authenticate } from '../../transport/index.js';
import { ExitCode, printHelp, UsageError, type CliIo, type Command } from '../command.js';
import { integerOption, parseCommandLine, positionals } from '../options.js';
import { Reporter } from '../reporter.js';
import { ChildSessions } from './child-sessions.js';
import { findCommand } from './find-command.js';

/** Port `expose` listens on. */
export const DEFAULT_EXPOSE_PORT = 3001;
/** Address `expose` binds: this machine only, unless told otherwise. */
export const DEFAULT_EXPOSE_HOST = '127.0.0.1';
/** Most child processes (one per client session) at once. */
export const DEFAULT_MAX_CHILDREN = 16;
/** A session with nothing going on for this long is closed and its child stopped, ms (30 minutes). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
/** How long a child gets after its stdin closes before SIGTERM, and as long again before SIGKILL, ms. */
export const DEFAULT_KILL_GRACE_MS = 2000;
/** Largest message in either direction, bytes (the transport's default). */
const MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  path: { type: 'string' },
  'max-children': { type: 'string' },
  'idle-timeout-ms': { type: 'string' },
  token: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const exposeCommand: Command = {
  name: 'expose',
  summary: 'Serve a stdio MCP server over WebSocket and Streamable HTTP, one process per client',
  help: `Usage: nexus-mcp expose [options] -- <command> [args…]

Serves the stdio MCP server started by <command> over WebSocket (subprotocol "mcp") and over
Streamable HTTP, on the same port and path. Each client session (a WebSocket connection, or an
HTTP session opened by initialize) gets its own process, started when it connects and stopped
when it leaves (a WebSocket close, an HTTP DELETE); a process is never shared, and messages pass
through untouched (request ids included). A process that exits while its client is connected
ends that client's session alone (WebSocket: closed with 1011 and the reason). Its stderr is
passed on to ours, each line prefixed with "[child <pid>]".

Options:
  -p, --port <port>         Port to listen on; 0 picks a free one (default ${DEFAULT_EXPOSE_PORT})
  --host <address>          Address to bind (default ${DEFAULT_EXPOSE_HOST}; 0.0.0.0 for every interface)
  --path <path>             Accept connections on this path only (default: any path)
  --max-children <n>        Most processes at once; one more client gets none, its session is ended
                            (WebSocket: closed with 1013) (default ${DEFAULT_MAX_CHILDREN})
  --idle-timeout-ms <ms>    End a client's session (WebSocket: 1001) and stop its process after this
                            long with no traffic and no request unanswered; 0 never (default ${DEFAULT_IDLE_TIMEOUT_MS})
  --token <token>           Accept only clients that present this bearer token (Authorization header,
                            "bearer.<token>" subprotocol entry, or ?token= query parameter); others
                            get HTTP 401
  -q, --quiet               Only warnings, errors and the children's stderr on stderr
  -h, --help                Show this help

The addresses served are printed on stderr once listening ("listening on ws://… and http://…").
Exit codes: 0 stopped by SIGINT/SIGTERM, 1 cannot listen or cannot find <command>, 2 usage error.

Examples:
  nexus-mcp expose --port 3002 -- npx -y @modelcontextprotocol/server-everything
  nexus-mcp tools http://127.0.0.1:3002`,
  run: async (args, io) => {
    const separator = args.indexOf('--');
    const parsed = parseCommandLine(separator < 0 ? args : args.slice(0, separator), OPTIONS);
    if (parsed === 'help') return printHelp(io, exposeCommand);
    positionals(parsed.positionals, []);
    const [command, ...commandArgs] = separator < 0 ? [] : args.slice(separator + 1);
    if (command === undefined) throw new UsageError('give the server command after --, as in: nexus-mcp expose --port 3001 -- node server.js');
    if (findCommand(command) === undefined) throw new Error(`cannot find ${JSON.stringify(command)}: not on PATH, or not an executable file`);
    const { values } = parsed;
    const path = values.path;
    if (path?.startsWith('/') === false) throw new UsageError(`--path must start with "/", got ${JSON.stringify(path)}`);
    const idleTimeoutMs = integerOption('idle-timeout-ms', values['idle-timeout-ms'], DEFAULT_IDLE_TIMEOUT_MS);
    return serve(io, {
      command: { command, args: commandArgs },
      host: values.host ?? DEFAULT_EXPOSE_HOST,
      port: integerOption('port', values.port, DEFAULT_EXPOSE_PORT, 0, 65535),
      path,
      maxChildren: integerOption('max-children', values['max-children'], DEFAULT_MAX_CHILDREN, 1),
      idleTimeoutMs: idleTimeoutMs === 0 ? undefined : idleTimeoutMs,
      authenticate: values.token === undefined ? undefined : tokenCheck(values.token),
      reporter: new Reporter(io.stderr, 'nexus-mcp expose', values.quiet === true),
    });
  },
};

interface ExposeSettings {
  readonly command: { readonly command: string; readonly args: readonly string[] };
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly maxChildren: number;
  readonly idleTimeoutMs: number | undefined;
  readonly authenticate: Authenticate | undefined;
  readonly reporter: Reporter;
}

/** Listens until the process is asked to stop, then closes every client (1001) and stops every child. */
async function serve(io: CliIo, settings: ExposeSettings): Promise<number> {
  const { reporter } = settings;
  const transport = new WebSocketServerTransport({
    // MCP's framing, and its request key: a child's reply ends its request's HTTP exchange.
    ...mcpTransportOptions,
    streamableHttp: mcpStreamableHttp,
    host: settings.host,
    port: settings.port,
    ...(settings.path === undefined ? {} : { path: settings.path }),
    ...(settings.authenticate === undefined ? {} : { authenticate: settings.authenticate }),
    maxMessageSize: MAX_MESSAGE_SIZE,
    logger: reporter,
    // Each message goes to its client's own child; replies come back from the child, not from here.
    messageHandler: (message, client): void => sessions.deliver(client.id, message),
  });
  const sessions: ChildSessions = new ChildSessions(transport, {
    command: settings.command,
    maxChildren: settings.maxChildren,
    idleTimeoutMs: settings.idleTimeoutMs,
    killGraceMs: DEFAULT_KILL_GRACE_MS,
    maxLineBytes: MAX_MESSAGE_SIZE,
    reporter,
  });
  const serving = sessions.serve();
  try {
    await transport.start();
  } catch (error) {
    serving.unsubscribe();
    throw error;
  }
  reporter.notice(
    `listening on ${transport.url ?? '?'} and ${transport.httpUrl ?? '?'}; one "${settings.command.command}" process per client, at most ${settings.maxChildren}`,
  );
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  reporter.info('stopping: closing every client and stopping every child');
  await transport.stop();
  serving.unsubscribe();
  await sessions.stopAll();
  return ExitCode.Ok;
}

/** Accepts exactly `expected` as a bearer token, compared in constant time. */
function tokenCheck(expected: string): Authenticate {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  const wanted = digest(expected);
  return bearerAuth((token) => (timingSafeEqual(digest(token), wanted) ? { clientId: 'token', scopes: [] } : undefined));
}
