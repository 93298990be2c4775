/**
 * A redis-server of the test's own, on a free loopback port: tests that restart, pause or flush
 * Redis must never touch the shared one on 6379. Nothing is persisted (no RDB, no AOF), so a
 * restart is an empty Redis, as after a failover to a replica that had not caught up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { track } from './resources.js';
import { unusedPort } from './sockets.js';

export class RedisServer {
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  /** Starts one on a free port; stopped by `closeAll()`. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await unusedPort());
    await server.launch();
    return track(server, (s) => s.stop());
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops it (SIGTERM); resolves once the process is gone. */
  async stop(): Promise<void> {
    this.resume();
    this.process?.kill('SIGTERM');
    await this.exited;
    this.process = undefined;
  }

  /** Kills it at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    this.process?.kill('SIGKILL');
    await this.exited;
    this.process = undefined;
  }

  /** Stops and starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Freezes it (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Thaws it (SIGCONT). */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  private async launch(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout.resume();
    child.stderr.resume();
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not come up within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Whether something on `port` answers a RESP PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
