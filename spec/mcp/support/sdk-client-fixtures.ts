/**
 * The official SDK `Client` over `SdkClientTransport`, recording what the transport tells its
 * owner (every `onerror`, the number of `onclose`). Registered with mcp-fixtures' `track`, so
 * `afterEach(closeAll)` closes it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import * as t from 'io-ts';
import { SdkClientTransport, type SdkClientTransportOptions } from '../../../src/mcp/sdk/index.js';
import type { MCPServer } from '../../../src/mcp/index.js';
import { track } from './mcp-fixtures.js';

/** Short reconnect delays and no heartbeat, for tests that drop connections. */
export const fastReconnect = { heartbeat: false, reconnect: { initialDelay: 10, maxDelay: 50, maxRetries: 20 } } as const;

export interface SdkClientUnderTest {
  readonly client: Client;
  readonly transport: SdkClientTransport;
  /** Every error the transport reported, in order. */
  readonly errors: Error[];
  /** Every error the SDK Client reported: the transport's, and its own (a response for an unknown id, …). */
  readonly clientErrors: Error[];
  /** How many times the transport fired `onclose`. */
  readonly closes: () => number;
}

/** Connects an SDK Client over a new SdkClientTransport (the initialize handshake included). */
export async function connectSdkClient(url: string, options: SdkClientTransportOptions = fastReconnect): Promise<SdkClientUnderTest> {
  const transport = new SdkClientTransport(url, options);
  const errors: Error[] = [];
  let closes = 0;
  // Set before connect(): the SDK keeps these and calls them before its own.
  transport.onerror = (error) => errors.push(error);
  transport.onclose = () => {
    closes += 1;
  };
  const client = track(new Client({ name: 'sdk-over-nexus-client', version: '1.0.0' }), (c) => c.close());
  const clientErrors: Error[] = [];
  client.onerror = (error) => clientErrors.push(error);
  await client.connect(transport);
  return { client, transport, errors, clientErrors, closes: () => closes };
}

/** Reports progress three times and returns at once: all four frames leave back to back. */
export function registerBurst(server: MCPServer): void {
  server.registerTool('burst', { input: t.type({}) }, (_args, ctx) => {
    ctx.progress(1, 3, 'one');
    ctx.progress(2, 3, 'two');
    ctx.progress(3, 3, 'three');
    return 'done';
  });
}

/** What `burst` reports, as the SDK hands it to `onprogress`. */
export const BURST_PROGRESS: Progress[] = [
  { progress: 1, total: 3, message: 'one' },
  { progress: 2, total: 3, message: 'two' },
  { progress: 3, total: 3, message: 'three' },
];

export const text = (value: string): { content: { type: 'text'; text: string }[] } => ({ content: [{ type: 'text', text: value }] });
