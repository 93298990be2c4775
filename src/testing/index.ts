/**
 * nexus-mcp/testing: what you need to test your own servers. `VirtualEdge` runs a whole server
 * without sockets, in virtual time if you like (`TestScheduler.run()`); `testServers()` starts real
 * ones on 127.0.0.1 and a free port, and stops them all in one call.
 * @packageDocumentation
 */
export { VirtualEdge, VirtualClient, type VirtualConnectOptions } from './virtual-edge.js';
export { testServers, type TestServers } from './test-servers.js';
