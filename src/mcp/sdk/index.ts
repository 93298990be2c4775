/**
 * nexus-mcp/sdk: the official MCP SDK on this transport. `serveSdkServer` runs an SDK
 * `Server`/`McpServer` per connection of a `WebSocketServerTransport`; `SdkConnectionTransport` is
 * the SDK `Transport` over one connection. On the client side, `SdkClientTransport` gives the SDK's
 * `Client` our reconnecting, resuming WebSocket client. The SDK stays an optional peer: only its
 * types are imported here.
 * @packageDocumentation
 */
export { serveSdkServer, type SdkServerLike, type SdkServerFactory, type ServeSdkServerOptions } from './serve-sdk-server.js';
export { SdkConnectionTransport, type SdkConnectionTransportOptions } from './sdk-connection-transport.js';
export { SdkClientTransport, type SdkClientTransportOptions } from './sdk-client-transport.js';
// The MCP server's transport options serve SDK servers too: one place decides MCP's framing.
export { mcpTransportOptions } from '../server/framing/json-rpc-error-reply.js';
