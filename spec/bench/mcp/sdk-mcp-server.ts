import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
// zod is the SDK's own dependency (its McpServer validates tool input with it).
import * as z from 'zod';

/** An SDK McpServer with the benchmark's `echo` tool: the same tool the nexus server registers. */
export function createSdkMcpServer(): McpServer {
  const server = new McpServer({ name: 'bench-sdk', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes its text', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}
