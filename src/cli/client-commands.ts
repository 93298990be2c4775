import type { Writable } from 'node:stream';
import { ConnectionClosedError, HttpStatusError, McpError, RequestTimeoutError, type SimpleMCPClient } from '../mcp/index.js';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTextFrame, type JsonObject } from '../protocol/index.js';
import { ExitCode, printHelp, UsageError, type CliIo, type Command } from './command.js';
import { openTarget, type McpTarget } from './open-client.js';
import { integerOption, parseCommandLine, positionals, requestHeaders } from './options.js';
import { packageVersion } from './version.js';

/** Bound on connecting and on each request of `tools` and `call`, ms. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;

const CLIENT_OPTIONS = {
  header: { type: 'string', multiple: true },
  token: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
} as const;

const CLIENT_OPTIONS_HELP = `Options:
  --header 'Name: value'  Extra header on the connection request, or on every HTTP request (repeatable)
  --token <token>         Send "Authorization: Bearer <token>"
  --json                  Print compact JSON on one line (default: pretty, indented)
  --timeout-ms <ms>       Give up connecting, or waiting for a reply, after this long (default ${DEFAULT_CLIENT_TIMEOUT_MS})
  -h, --help              Show this help`;

const EXIT_CODES_HELP = `Exit codes: 0 done, 1 failed (cannot connect, protocol error, the tool reported an error), 2 usage error.`;

export const toolsCommand: Command = {
  name: 'tools',
  summary: 'List the tools of an MCP server',
  help: `Usage: nexus-mcp tools <url> [options]
       nexus-mcp tools [options] -- <command> [args…]

Connects to the MCP server at <url> (ws:// or wss:// for WebSocket, http:// or https:// for
Streamable HTTP), or starts <command> as a stdio MCP server (its stderr is passed on to ours),
lists its tools (every page) and prints them as a JSON array on stdout.

${CLIENT_OPTIONS_HELP}

${EXIT_CODES_HELP}

Examples:
  nexus-mcp tools ws://127.0.0.1:3001
  nexus-mcp tools http://127.0.0.1:3001/mcp --token "$TOKEN"
  nexus-mcp tools -- npx tsx examples/demo-server.ts --stdio`,
  run: async (args, io) => {
    const { options, command } = splitCommand(args);
    const parsed = parseCommandLine(options, CLIENT_OPTIONS);
    if (parsed === 'help') return printHelp(io, toolsCommand);
    const [url = ''] = positionals(parsed.positionals, command ? [] : ['url']);
    return withClient(targetOf(url, command, io), parsed.values, async (client) => {
      printJson(io.stdout, await client.listTools(), parsed.values.json === true);
      return ExitCode.Ok;
    });
  },
};

export const callCommand: Command = {
  name: 'call',
  summary: 'Call one tool of an MCP server and print its result',
  help: `Usage: nexus-mcp call <url> <tool> ['<json arguments>'] [options]
       nexus-mcp call <tool> ['<json arguments>'] [options] -- <command> [args…]

Connects to the MCP server at <url> (ws:// or wss:// for WebSocket, http:// or https:// for
Streamable HTTP), or starts <command> as a stdio MCP server (its stderr is passed on to ours), calls <tool> with the arguments (a JSON object; default {}) and prints the
result (content, structuredContent, isError) as JSON on stdout.
A result with "isError": true is printed too, and the command exits with 1.

${CLIENT_OPTIONS_HELP}

${EXIT_CODES_HELP}

Examples:
  nexus-mcp call ws://127.0.0.1:3001 add '{"a": 2, "b": 40}'
  nexus-mcp call http://127.0.0.1:3001 add '{"a": 2, "b": 40}'
  nexus-mcp call add '{"a": 2, "b": 40}' -- npx tsx examples/demo-server.ts --stdio`,
  run: async (args, io) => {
    const { options, command } = splitCommand(args);
    const parsed = parseCommandLine(options, CLIENT_OPTIONS);
    if (parsed === 'help') return printHelp(io, callCommand);
    if (command && /^[a-z]+:\/\//i.test(parsed.positionals[0] ?? '')) throw new UsageError('give a URL or a command after --, not both');
    const given = command ? ['', ...parsed.positionals] : parsed.positionals;
    const [url = '', tool = '', json] = positionals(given, ['url', 'tool', 'arguments?']);
    const toolArguments = parseToolArguments(json);
    return withClient(targetOf(url, command, io), parsed.values, async (client) => {
      const result = await client.callTool(tool, toolArguments);
      printJson(io.stdout, result, parsed.values.json === true);
      if (result.isError !== true) return ExitCode.Ok;
      io.stderr.write(`nexus-mcp call: the tool ${JSON.stringify(tool)} reported an error (isError: true)\n`);
      return ExitCode.Failure;
    });
  },
};

interface ClientValues {
  readonly header?: string[] | undefined;
  readonly token?: string | undefined;
  readonly 'timeout-ms'?: string | undefined;
}

/** The arguments before `--` (options and positionals), and the stdio server's command line after it, if any. */
function splitCommand(args: readonly string[]): { readonly options: readonly string[]; readonly command: readonly string[] | undefined } {
  const separator = args.indexOf('--');
  if (separator < 0) return { options: args, command: undefined };
  const command = args.slice(separator + 1);
  if (command.length === 0) throw new UsageError('give the stdio server command after --, as in: -- node server.js');
  return { options: args.slice(0, separator), command };
}

/** The URL, or the stdio server to start, whose log lines go to our stderr. */
function targetOf(url: string, command: readonly string[] | undefined, io: CliIo): McpTarget {
  return command ? { command, stderr: (line) => io.stderr.write(`${line}\n`) } : { url };
}

/** Connects, runs `work`, and always disconnects; protocol errors become runtime failures with their code. */
async function withClient(target: McpTarget, values: ClientValues, work: (client: SimpleMCPClient) => Promise<number>): Promise<number> {
  const client = openTarget(target, {
    headers: requestHeaders(values.header, values.token),
    timeoutMs: integerOption('timeout-ms', values['timeout-ms'], DEFAULT_CLIENT_TIMEOUT_MS, 1),
    clientVersion: packageVersion(),
  });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    // The client's own McpErrors (connection closed, timeout, an HTTP status) speak for themselves; the server's carry its code.
    const ours = error instanceof ConnectionClosedError || error instanceof RequestTimeoutError || error instanceof HttpStatusError;
    if (error instanceof McpError && !ours) {
      throw new Error(`the server answered with error ${error.code}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    await client.disconnect();
  }
}

function parseToolArguments(json: string | undefined): JsonObject {
  if (json === undefined) return {};
  // The frame decoder every layer uses: a JSON object, with no "__proto__" smuggled in.
  const decoded = decodeTextFrame(json);
  if (E.isRight(decoded)) return decoded.right;
  throw new UsageError(`the tool arguments must be a JSON object, as in '{"a": 1}' (${decoded.left.message})`);
}

function printJson(stdout: Writable, value: unknown, compact: boolean): void {
  stdout.write(`${compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
}
