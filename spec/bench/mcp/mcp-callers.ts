import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { WebSocket } from 'ws';
import type { McpLeg } from '../config.js';
import { connectSimpleClient, loadNexusMcp } from './nexus-mcp.js';

/** One MCP client connection that can call the `echo` tool. */
export interface McpCaller {
  call(): Promise<unknown>;
  close(): Promise<unknown>;
}

/** Where a leg's clients connect: a URL, or (stdio) the command that starts a server per client. */
export interface McpTarget {
  readonly url?: string;
  readonly stdioCommand?: readonly string[];
}

const ARGUMENTS = { text: 'hello from the benchmark' };

/** Opens one client of `leg`; every leg performs the MCP handshake before its first call. */
export async function openCaller(leg: McpLeg, target: McpTarget): Promise<McpCaller> {
  if (leg === 'nexus-simple') {
    const nexus = await loadNexusMcp();
    if (!nexus.ok) throw new Error(nexus.reason);
    const client = await connectSimpleClient(nexus.module, requireUrl(target));
    return checked({ call: () => client.callTool('echo', ARGUMENTS), close: () => client.disconnect() });
  }
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(sdkTransport(leg, target));
  return checked({ call: () => client.callTool({ name: 'echo', arguments: ARGUMENTS }), close: () => client.close() });
}

/** Checks the first result of a caller: the echo came back, and not as an error result. */
function checked(caller: McpCaller): McpCaller {
  let verified = false;
  return {
    close: () => caller.close(),
    call: async () => {
      const result = await caller.call();
      if (verified) return result;
      const { content, isError } = result as { content?: { text?: unknown }[]; isError?: unknown };
      if (isError === true || content?.[0]?.text !== ARGUMENTS.text) {
        throw new Error(`Unexpected tools/call result: ${JSON.stringify(result)}`);
      }
      verified = true;
      return result;
    },
  };
}

function sdkTransport(leg: Exclude<McpLeg, 'nexus-simple'>, target: McpTarget): Transport {
  switch (leg) {
    case 'sdk-ws-nexus':
      // Node 20 has no global WebSocket; the SDK's client transport needs one.
      (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
      return new WebSocketClientTransport(new URL(requireUrl(target)));
    case 'sdk-http':
    case 'sdk-http-json':
    case 'sdk-http-nexus':
      return new StreamableHTTPClientTransport(new URL(requireUrl(target)));
    case 'sdk-stdio':
    case 'sdk-stdio-nexus': {
      const [command, ...args] = target.stdioCommand ?? [];
      if (command === undefined) throw new Error('sdk-stdio needs a server command');
      return new StdioClientTransport({ command, args, stderr: 'inherit' });
    }
  }
}

function requireUrl(target: McpTarget): string {
  if (target.url === undefined) throw new Error('This leg needs a server URL');
  return target.url;
}
