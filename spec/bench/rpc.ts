/**
 * The driver talks to each child (server under test, load generator) over Node's IPC channel with a
 * minimal request/response protocol. Parameters and results are plain JSON.
 */
export interface RpcRequest {
  readonly rpc: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface RpcResponse {
  readonly rpc: 'response';
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** Sent once by a child when it is ready to take requests. */
export interface RpcReady {
  readonly rpc: 'ready';
  readonly info: unknown;
}

export type RpcMessage = RpcRequest | RpcResponse | RpcReady;

export type RpcHandler = (params: never) => unknown;

export function isRpcMessage(value: unknown): value is RpcMessage {
  return typeof value === 'object' && value !== null && 'rpc' in value;
}

/**
 * Serves `handlers` to the parent process and announces readiness with `info`. A child whose
 * parent goes away exits at once: no benchmark process outlives the driver.
 */
export function serveRpc(handlers: Readonly<Record<string, RpcHandler>>, info: unknown = {}): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('This benchmark process must be started by spec/bench/driver.ts (it needs an IPC channel)');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (!isRpcMessage(message) || message.rpc !== 'request') return;
    const handler = handlers[message.method];
    const respond = (response: Omit<RpcResponse, 'rpc' | 'id'>): void => {
      send({ rpc: 'response', id: message.id, ...response } satisfies RpcResponse);
    };
    if (!handler) {
      respond({ error: `Unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params as never))
      .then(
        (result) => respond({ result: result ?? null }),
        (error: unknown) => respond({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  send({ rpc: 'ready', info } satisfies RpcReady);
}

/** Reads `--name value` from the command line. */
export function argument(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) throw new Error(`Missing command-line argument --${name}`);
  return value;
}
