import { BehaviorSubject, NEVER, Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { ConnectionClosedError } from '../../mcp-error.js';
import { describeExit, StdioChild, type ChildExit } from '../../../transport/client/stdio-child.js';
import type { ClientState } from '../../../transport/client/client-core.js';
import type { SessionOutcome } from '../../../transport/client/client-session.js';
import type { ClientChannel } from './client-channel.js';
import type { StdioServerCommand } from '../simple-client-options.js';

/** How long a stopping server gets after its stdin closes before SIGTERM, and again before SIGKILL (MCP's stdio shutdown), ms. */
const STOP_GRACE_MS = 2000;

/**
 * MCP's stdio transport, client side: the channel starts the server as a child process and
 * speaks JSON-RPC with it, one message per line on its stdin and stdout. The session lives as
 * long as the process: when it exits, the channel closes for good (no reconnection; calls in flight
 * fail). `stop()` closes its stdin, then signals it if it does not exit (SIGTERM, then SIGKILL).
 */
export class StdioChannel implements ClientChannel {
  private readonly stateSubject = new BehaviorSubject<ClientState>('connecting');
  private readonly messagesSubject = new Subject<JsonObject>();
  private readonly problemsSubject = new Subject<Error>();
  private child: StdioChild | undefined;
  private stopping = false;
  readonly state$: Observable<ClientState> = this.stateSubject.asObservable();
  readonly messages$: Observable<JsonObject> = this.messagesSubject.asObservable();
  readonly session$: Observable<SessionOutcome> = NEVER;
  readonly problems$: Observable<Error> = this.problemsSubject.asObservable();

  constructor(
    private readonly server: StdioServerCommand,
    private readonly maxLineBytes: number,
    private readonly scheduler: SchedulerLike,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { command, args = [], cwd, env, stderr = (line: string) => process.stderr.write(`${line}\n`) } = this.server;
      const child = new StdioChild({ command, args, ...(cwd === undefined ? {} : { cwd }), ...(env === undefined ? {} : { env }) }, this.maxLineBytes, {
        onMessage: (message) => this.messagesSubject.next(message),
        onStderr: stderr,
        onBadOutput: (problem) => this.problemsSubject.next(new Error(`The server wrote something that is not a message on stdout: ${problem}`)),
        onExit: (exit) => {
          if (exit.startError) reject(exit.startError);
          this.exited(exit);
        },
      });
      this.child = child;
      // Spawned: whatever fails from here on is the process exiting.
      if (child.pid !== undefined) {
        this.stateSubject.next('open');
        resolve();
      }
    });
  }

  send(message: JsonObject): Promise<void> {
    const child = this.child;
    if (!child || child.isGone) return Promise.reject(new ConnectionClosedError('The stdio server is not running'));
    child.send(message);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.child?.stop(STOP_GRACE_MS, this.scheduler);
    this.exited(undefined);
  }

  private exited(exit: ChildExit | undefined): void {
    if (this.stateSubject.closed) return;
    // Exiting on its own (a crash, or just done) is worth a word; being stopped is not.
    if (exit && !exit.startError && !this.stopping) {
      this.problemsSubject.next(new ConnectionClosedError(`The stdio server ${describeExit(exit)}`));
    }
    this.stateSubject.next('closed');
    this.stateSubject.complete();
    this.messagesSubject.complete();
    this.problemsSubject.complete();
  }
}
