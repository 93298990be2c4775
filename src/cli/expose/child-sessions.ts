import { asyncScheduler, Subscription, type Observable, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import { CloseCode, type Related } from '../../transport/index.js';
import type { Reporter } from '../reporter.js';
import { cancelledIdOf, requestKey } from '../request-ids.js';
import { ChildSession } from './child-session.js';
import { describeExit, StdioChild, type ChildCommand, type ChildExit } from '../../transport/client/stdio-child.js';

/**
 * Where client sessions come from and where their messages go, keyed by the transport's client id:
 * `WebSocketServerTransport` as it is, for its WebSocket connections and its Streamable HTTP
 * sessions alike (an HTTP session's client id is its `Mcp-Session-Id`).
 */
export interface SessionTransport {
  /** Each session as it opens. */
  readonly connections$: Observable<{ readonly id: string }>;
  /** Each session as it ends for good (a resumable client that dropped and came back has not ended). */
  readonly disconnections$: Observable<{ readonly clientId: string; readonly code: number; readonly reason: string }>;
  /**
   * The session's connection, to send it messages: `relatedTo` names the request a message belongs
   * to, so that over HTTP it goes on that request's response. `undefined` once the session is gone.
   */
  getClient(clientId: string): { send(message: JsonObject, relatedTo?: string | Related): boolean; settle(requestKey: string): void } | undefined;
  /** Ends one session with a close code and a reason (at most 123 bytes). */
  closeClient(clientId: string, code?: number, reason?: string): boolean;
}

/** Options of {@link ChildSessions}. */
export interface ChildSessionsOptions {
  /** The stdio MCP server each session gets its own process of. */
  readonly command: ChildCommand;
  /** Most children at once; a session over it is closed with 1013 and gets none. */
  readonly maxChildren: number;
  /** A session with no traffic and nothing unanswered for this long is closed with 1001; `undefined`: never. */
  readonly idleTimeoutMs: number | undefined;
  /** How long a child gets after its stdin closes before SIGTERM (and as long again before SIGKILL), ms. */
  readonly killGraceMs: number;
  /** Largest line accepted from a child, bytes. */
  readonly maxLineBytes: number;
  readonly reporter: Reporter;
  /** Time source for the idle timer and the kill grace. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * One child process per client session: spawned when the session opens, stopped when it ends,
 * never shared. Messages pass through untouched both ways, so request ids (strings included) are
 * the client's own. A child that exits while its session is open closes that session alone, with
 * 1011 and the reason; its stderr reaches ours, each line prefixed with its pid.
 */
export class ChildSessions {
  private readonly sessions = new Map<string, ChildSession>();
  private readonly scheduler: SchedulerLike;

  constructor(
    private readonly transport: SessionTransport,
    private readonly options: ChildSessionsOptions,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Children running now. */
  get size(): number {
    return this.sessions.size;
  }

  /** Starts serving: a child for each session that opens from now on, until unsubscribed. */
  serve(): Subscription {
    const serving = new Subscription();
    serving.add(this.transport.connections$.subscribe(({ id }) => this.open(id)));
    serving.add(this.transport.disconnections$.subscribe(({ clientId, code, reason }) => void this.close(clientId, `left (${code}${reason ? ` ${reason}` : ''})`)));
    return serving;
  }

  /** A message from a client: to its own child (dropped when the session has none, e.g. it was refused). */
  deliver(clientId: string, message: JsonObject): void {
    this.sessions.get(clientId)?.fromClient(message);
    // A stdio server sends nothing for a request its client cancelled: over HTTP, its response ends now.
    const cancelled = cancelledIdOf(message);
    if (cancelled !== undefined) this.transport.getClient(clientId)?.settle(requestKey(cancelled));
  }

  /** Stops every child and resolves once all are gone. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((clientId) => this.close(clientId, 'server stopping')));
  }

  private open(clientId: string): void {
    const { maxChildren, reporter } = this.options;
    if (this.sessions.size >= maxChildren) {
      reporter.warn(`refused client ${clientId}: ${maxChildren} children already run (--max-children); closed with 1013`);
      this.transport.closeClient(clientId, CloseCode.TryAgainLater, `At most ${maxChildren} MCP server processes at once; try again later`);
      return;
    }
    const child: StdioChild = new StdioChild(this.options.command, this.options.maxLineBytes, {
      onMessage: (message) => this.fromChild(clientId, message),
      onStderr: (line) => reporter.relay(`[child ${child.pid ?? '?'}]`, line),
      onBadOutput: (problem) => reporter.warn(`child ${child.pid ?? '?'} wrote a line that is not a JSON-RPC message, dropped: ${problem}`),
      onExit: (exit) => this.childExited(clientId, child, exit),
    });
    const session = new ChildSession(clientId, child, {
      timeoutMs: this.options.idleTimeoutMs,
      scheduler: this.scheduler,
      onIdle: () => {
        reporter.info(`client ${clientId} idle for ${this.options.idleTimeoutMs ?? 0} ms; closing it (1001)`);
        this.transport.closeClient(clientId, CloseCode.GoingAway, 'Idle for too long');
        void this.close(clientId, 'idle');
      },
    });
    this.sessions.set(clientId, session);
    if (child.pid !== undefined) reporter.info(`client ${clientId} connected; started child ${child.pid}`);
  }

  private fromChild(clientId: string, message: JsonObject): void {
    const session = this.sessions.get(clientId);
    if (!session) return;
    const relatedTo = session.fromChild(message);
    try {
      this.transport.getClient(clientId)?.send(message, relatedTo);
    } catch (error) {
      this.options.reporter.warn(`could not pass a message to client ${clientId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The child is gone: if its session still stands, it ends too, and only it. */
  private childExited(clientId: string, child: StdioChild, exit: ChildExit): void {
    const session = this.sessions.get(clientId);
    if (session?.child !== child) return;
    this.sessions.delete(clientId);
    session.end();
    const description = describeExit(exit);
    this.options.reporter.warn(`child ${child.pid ?? '?'} of client ${clientId} ${description}; closing that client (1011)`);
    this.transport.closeClient(clientId, CloseCode.InternalError, cutReason(`MCP server process ${description}`));
  }

  /** Ends a session: its child is stopped (stdin closed, then signals) and forgotten. */
  private close(clientId: string, why: string): Promise<void> {
    const session = this.sessions.get(clientId);
    if (!session) return Promise.resolve();
    this.sessions.delete(clientId);
    session.end();
    this.options.reporter.info(`client ${clientId} ${why}; stopping child ${session.child.pid ?? '?'}`);
    return session.child.stop(this.options.killGraceMs, this.scheduler);
  }
}

/** A close reason fits in 123 bytes of UTF-8. */
function cutReason(reason: string): string {
  let cut = reason;
  while (Buffer.byteLength(cut) > 123) cut = cut.slice(0, -1);
  return cut;
}
