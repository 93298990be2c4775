/**
 * Helpers for the specs of SimpleMCPClient over Streamable HTTP: a TCP proxy that can cut every
 * connection through it at once (a network drop, on real sockets), and a `fetch` that records
 * what the client asks before passing it on unchanged. Everything opened here is registered with
 * `track` (spec/support/resources.ts), so `afterEach(closeAll)` closes it.
 */
import { connect, createServer, type Socket } from 'node:net';
import { track } from '../../support/resources.js';

export interface TcpProxy {
  /** `http://127.0.0.1:<proxy port><path of the target>`. */
  readonly url: string;
  /** Destroys every connection open through the proxy now, both ways; new ones are served as before. */
  cut(): void;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
}

/** A TCP proxy on 127.0.0.1 in front of `target` (an http:// URL). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port, pathname } = new URL(target);
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((downstream) => {
    connections += 1;
    const upstream = connect(Number(port), hostname);
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('a TCP server has a port');
  const cut = (): void => {
    for (const socket of [...open]) socket.destroy();
  };
  track(server, (s) => {
    cut();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${address.port}${pathname}`,
    cut,
    get connections() {
      return connections;
    },
  };
}

/** What the client sent in one HTTP request. */
export interface SentRequest {
  readonly method: string;
  readonly headers: Headers;
  /** The body parsed as JSON, for a POST. */
  readonly body: unknown;
}

/** A `fetch` that notes each request in `log`, then sends it with the global `fetch` as it is. */
export function recordingFetch(log: SentRequest[]): typeof fetch {
  return (input, init) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    log.push({ method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    return fetch(input, init);
  };
}
