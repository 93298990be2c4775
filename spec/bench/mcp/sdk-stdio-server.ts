/**
 * An SDK McpServer over stdio, spawned by the SDK's StdioClientTransport in the mcp load generator.
 * It exits when its stdin ends, so it never outlives the process that started it.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createSdkMcpServer } from './sdk-mcp-server.js';

process.stdin.once('end', () => process.exit(0));
process.stdin.once('close', () => process.exit(0));
await createSdkMcpServer().connect(new StdioServerTransport());
