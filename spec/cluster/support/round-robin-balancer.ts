/**
 * A TCP load balancer for cluster tests: each new connection goes to the next backend in turn (no
 * stickiness: a client that reconnects lands on another node), skipping backends that refuse. It
 * pipes bytes both ways and nothing else, so WebSocket upgrades and HTTP keep-alive pass through
 * as they would through HAProxy in TCP mode. Closed by `closeAll()`.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { track } from '../../support/resources.js';

export class RoundRobinBalancer {
  private next = 0;
  private readonly sockets = new Set<Socket>();
  /** How many connections each backend port was given, for tests that check the spread. */
  readonly served = new Map<number, number>();

  private constructor(
    private readonly server: Server,
    private backends: number[],
  ) {}

  /** Listens on a free loopback port in front of `backends` (ports on 127.0.0.1). */
  static async start(backends: readonly number[]): Promise<RoundRobinBalancer> {
    const server = createServer();
    const balancer = new RoundRobinBalancer(server, [...backends]);
    server.on('connection', (socket) => balancer.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return track(balancer, (b) => b.close());
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the balancer listens on TCP');
    return address.port;
  }

  /** `ws://127.0.0.1:<port>`, `http://…` with `http`. */
  url(scheme: 'ws' | 'http' = 'ws', path = '/'): string {
    return `${scheme}://127.0.0.1:${this.port}${path}`;
  }

  /** Replaces the backends (a node left, or joined). */
  setBackends(backends: readonly number[]): void {
    this.backends = [...backends];
  }

  /** Cuts every connection passing through, as a network drop would (no close frames). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.remember(client);
    client.pause();
    this.connect(client, this.backends.length);
  }

  /** Tries the next backend; on a refusal, the one after, until every backend was tried once. */
  private connect(client: Socket, attemptsLeft: number): void {
    if (attemptsLeft <= 0 || this.backends.length === 0 || client.destroyed) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next % this.backends.length] ?? 0;
    this.next += 1;
    const upstream = createConnection({ host: '127.0.0.1', port });
    const refused = (): void => {
      upstream.destroy();
      this.connect(client, attemptsLeft - 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      this.remember(upstream);
      this.served.set(port, (this.served.get(port) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      const cut = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.once('error', cut).once('close', cut);
      upstream.once('error', cut).once('close', cut);
      client.resume();
    });
  }

  private remember(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
