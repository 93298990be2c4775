/**
 * The public surface, name by name: every entry point's exports (values and types), read with the
 * TypeScript compiler. An export that appears or disappears fails here until this list changes with
 * it, so nothing internal leaks by accident and nothing public goes missing silently.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

const ENTRY_POINTS = {
  'nexus-mcp': 'src/index.ts',
  'nexus-mcp/transport': 'src/transport/index.ts',
  'nexus-mcp/mcp': 'src/mcp/index.ts',
  'nexus-mcp/sdk': 'src/mcp/sdk/index.ts',
  'nexus-mcp/testing': 'src/testing/index.ts',
} as const;

const ERRORS = [
  'ClientGoneError',
  'ConnectionFailedError',
  'HandlerError',
  'HandshakeDroppedError',
  'InboxOverflowError',
  'InvalidFrameError',
  'MessageTooLargeError',
  'NotConnectedError',
  'OverloadedError',
  'QueueExpiredError',
  'QueueFullError',
  'RateLimitedError',
  'ReceiveTimeoutError',
  'ResumeRefusedError',
  'SerializationError',
  'ServerFullError',
  'ServerStartError',
  'SessionExpiredError',
  'SocketError',
  'TransportError',
  'TransportStoppedError',
  'UpgradeRefusedError',
];
const MCP_ERRORS = ['CancelledError', 'ConnectionClosedError', 'McpError', 'RequestTimeoutError', 'ResourceNotFoundError', 'ServerStoppingError', 'ToolError'];

const EXPECTED: Record<keyof typeof ENTRY_POINTS, readonly string[]> = {
  'nexus-mcp': [
    ...ERRORS,
    ...MCP_ERRORS,
    'CallToolOptions',
    'CallToolResult',
    'ClientConnection',
    'ClientInfo',
    'ClientMessage',
    'ClientState',
    'ClientTransportOptions',
    'CloseCode',
    'ContentBlock',
    'Disconnection',
    'HandlerContext',
    'Implementation',
    'InitializeResult',
    'JsonObject',
    'JsonRpcErrorCode',
    'JsonRpcNotification',
    'JsonValue',
    'MCPServer',
    'MCPServerOptions',
    'McpClientState',
    'MessageHandler',
    'MessageHandlerMap',
    'Progress',
    'Prompt',
    'PromptDefinition',
    'RegisteredPrompt',
    'RegisteredResource',
    'RegisteredResourceTemplate',
    'RegisteredTool',
    'RequestOptions',
    'Resource',
    'ResourceDefinition',
    'ServerErrorEvent',
    'ServerTransportOptions',
    'SessionEvent',
    'SimpleMCPClient',
    'SimpleMCPClientOptions',
    'StructuredToolDefinition',
    'Tool',
    'ToolCallEvent',
    'ToolDefinition',
    'ToolReply',
    'ToolResultBody',
    'TransportErrorEvent',
    'WebSocketClientTransport',
    'WebSocketServerTransport',
    'Workflow',
    'classifyCloseCode',
    'described',
    'isType',
    'mcpTransportOptions',
    'ofType',
    'routeByType',
    'toJsonSchema',
  ],
  'nexus-mcp/transport': [
    ...ERRORS,
    'AuthInfo',
    'AuthOutcome',
    'Authenticate',
    'BearerVerdict',
    'ClientConnection',
    'ClientInfo',
    'ClientMessage',
    'ClientState',
    'ClientTransportOptions',
    'CloseCode',
    'CloseDisposition',
    'CloseInfo',
    'CompressionOptions',
    'Disconnection',
    'Edge',
    'EdgeHost',
    'EncodedFrame',
    'HandlerResult',
    'HeartbeatOptions',
    'HttpProblem',
    'InMemoryReplayStore',
    'Logger',
    'MessageHandler',
    'MessageHandlerMap',
    'MessageOfType',
    'MessageRateOptions',
    'PEER_TEXT_LIMIT',
    'PeerArrival',
    'PeerLink',
    'ReconnectOptions',
    'ReconnectPolicy',
    'ReplayEntry',
    'ReplayLimits',
    'ReplayStore',
    'ReplyProblem',
    'ReplyProblemKind',
    'ResumeOptions',
    'Resumption',
    'SendQueueLimits',
    'ServerTlsOptions',
    'ServerTransportOptions',
    'SessionOutcome',
    'SlowConsumerEvent',
    'SlowConsumerOptions',
    'SlowConsumerPolicy',
    'StdioEdge',
    'StdioEdgeOptions',
    'StdioStreams',
    'StreamableHttpOptions',
    'TokenBucketOptions',
    'TokenSources',
    'TransportErrorEvent',
    'UpgradeRequest',
    'UpgradeRequestInfo',
    'WebSocketClientTransport',
    'WebSocketConstructor',
    'WebSocketLike',
    'WebSocketServerTransport',
    'allow',
    'bearerAuth',
    'bearerToken',
    'classifyCloseCode',
    'countReached',
    'cutPeerText',
    'deny',
    'isType',
    'ofType',
    'quotePeerText',
    'routeByType',
    'tokenSubprotocol',
  ],
  'nexus-mcp/mcp': [
    ...MCP_ERRORS,
    'CallToolOptions',
    'HandlerContext',
    'JsonSchema',
    'MCPServer',
    'MCPServerOptions',
    'McpClientState',
    'Progress',
    'PromptDefinition',
    'PromptHandler',
    'PromptReply',
    'RegisteredPrompt',
    'RegisteredResource',
    'RegisteredResourceTemplate',
    'RegisteredTool',
    'RequestOptions',
    'ResourceDefinition',
    'ResourceReader',
    'ResourceReply',
    'ResourceTemplateReader',
    'ServerErrorEvent',
    'SessionEvent',
    'SimpleMCPClient',
    'SimpleMCPClientOptions',
    'StructuredToolDefinition',
    'StructuredToolHandler',
    'ToolCallEvent',
    'ToolCallOutcome',
    'ToolDefinition',
    'ToolHandler',
    'ToolReply',
    'ToolResultBody',
    'Workflow',
    'WorkflowOptions',
    'described',
    'jsonRpcErrorReply',
    'mcpTransportOptions',
    'toJsonSchema',
  ],
  'nexus-mcp/sdk': ['SdkClientTransport', 'SdkClientTransportOptions', 'SdkConnectionTransport', 'SdkConnectionTransportOptions', 'SdkServerFactory', 'SdkServerLike', 'ServeSdkServerOptions', 'mcpTransportOptions', 'serveSdkServer'],
  'nexus-mcp/testing': ['TestServers', 'VirtualClient', 'VirtualConnectOptions', 'VirtualEdge', 'testServers'],
};

/** Every name an entry point exports, types included, sorted. */
function exportsOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(`${root}${file}`);
  if (!source) throw new Error(`${file} is not part of the program`);
  const symbol = checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(symbol)
    .map((exported) => exported.name)
    .sort();
}

describe('the public surface', () => {
  const program = ts.createProgram(
    Object.values(ENTRY_POINTS).map((file) => `${root}${file}`),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true },
  );

  it.each(Object.entries(ENTRY_POINTS))('%s exports exactly the names listed here', (entry, file) => {
    expect(exportsOf(program, file)).toEqual([...EXPECTED[entry as keyof typeof ENTRY_POINTS]].sort());
  });

  it('offers every error class a program can meet from the root, and from the subpath that owns it', () => {
    const rootNames = new Set(exportsOf(program, ENTRY_POINTS['nexus-mcp']));
    const transport = new Set(exportsOf(program, ENTRY_POINTS['nexus-mcp/transport']));
    const mcp = new Set(exportsOf(program, ENTRY_POINTS['nexus-mcp/mcp']));
    for (const name of ERRORS) expect(rootNames.has(name) && transport.has(name), name).toBe(true);
    for (const name of MCP_ERRORS) expect(rootNames.has(name) && mcp.has(name), name).toBe(true);
  });
});
