import { ExitCode, printHelp, UsageError, type Command } from '../command.js';
import { schemeOf } from '../open-client.js';
import { integerOption, parseCommandLine, positionals, requestHeaders } from '../options.js';
import { Reporter } from '../reporter.js';
import { runBridge } from './stdio-bridge.js';

/** Reconnection attempts after a drop before `connect` gives up. */
export const DEFAULT_RETRIES = 10;
/** After stdin ends, how long `connect` waits for the replies still in flight, ms. */
export const DEFAULT_DRAIN_MS = 10_000;
/** Largest message `connect` passes on in either direction, bytes (the transport's default). */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

const OPTIONS = {
  header: { type: 'string', multiple: true },
  token: { type: 'string' },
  retries: { type: 'string' },
  'drain-ms': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const connectCommand: Command = {
  name: 'connect',
  summary: 'Bridge a stdio MCP host to an MCP server over WebSocket',
  help: `Usage: nexus-mcp connect <ws-url> [options]

Reads JSON-RPC messages from stdin, one per line (MCP's stdio transport), sends them to the MCP
server at <ws-url>, and writes what the server sends to stdout, one message per line. Give this
command to a desktop host as the "command" of a stdio server.

A dropped connection is reconnected (full-jitter backoff) and its session resumed: the host sees
no error and gets every reply exactly once. If the server cannot resume the session, the requests
in flight get an error reply and the new session is initialized as the host initialized the old.

Options:
  --header 'Name: value'  Extra header on the upgrade request (repeatable)
  --token <token>         Send "Authorization: Bearer <token>"
  --retries <n>           Reconnection attempts after a drop before giving up (default ${DEFAULT_RETRIES}; 0: give up at once)
  --drain-ms <ms>         After stdin ends, wait this long at most for replies still due (default ${DEFAULT_DRAIN_MS})
  -q, --quiet             Only warnings and errors on stderr
  -h, --help              Show this help

Exit codes: 0 stdin ended and every reply arrived (or SIGINT/SIGTERM), 1 the connection failed for
good (a fatal close code such as 1008 or 4001, or retries used up) or replies were still due at the
end, 2 usage error.

Example (a desktop host's server entry):
  { "command": "npx", "args": ["nexus-mcp", "connect", "ws://127.0.0.1:3001", "--token", "…"] }`,
  run: async (args, io) => {
    const parsed = parseCommandLine(args, OPTIONS);
    if (parsed === 'help') return printHelp(io, connectCommand);
    const [url = ''] = positionals(parsed.positionals, ['ws-url']);
    const scheme = schemeOf(url);
    if (scheme === 'http:' || scheme === 'https:') throw new UsageError(`${url}: Streamable HTTP is not supported by this version yet; use a ws:// or wss:// URL`);
    if (scheme !== 'ws:' && scheme !== 'wss:') throw new UsageError(`${url}: the URL must start with ws:// or wss://`);
    const { values } = parsed;
    const settings = {
      url,
      headers: requestHeaders(values.header, values.token),
      retries: integerOption('retries', values.retries, DEFAULT_RETRIES),
      drainMs: integerOption('drain-ms', values['drain-ms'], DEFAULT_DRAIN_MS),
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
    };
    const code = await runBridge(io, settings, new Reporter(io.stderr, 'nexus-mcp connect', values.quiet === true));
    return code === ExitCode.Ok ? ExitCode.Ok : ExitCode.Failure;
  },
};
