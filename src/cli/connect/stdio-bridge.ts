import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, BehaviorSubject, combineLatest, filter, map, race, Subscription, take, timer, type SchedulerLike } from 'rxjs';
import { decodeTextFrame, jsonRpcError, JsonRpcErrorCode, type JsonObject } from '../../protocol/index.js';
import { ConnectionFailedError, SessionExpiredError, WebSocketClientTransport, type ClientState, type SessionOutcome, type TransportError } from '../../transport/index.js';
import { ExitCode, type CliIo } from '../command.js';
import { readLines, writeJsonLine, type LineEvent } from '../lines.js';
import { describeError, type Reporter } from '../reporter.js';
import { cancelledIdOf, requestIdOf, responseIdOf } from '../request-ids.js';
import { PendingRequests } from './pending-requests.js';
import { SessionRecovery } from './session-recovery.js';

/** What `nexus-mcp connect` was told on its command line. */
export interface BridgeSettings {
  /** The server, `ws://` or `wss://`. */
  readonly url: string;
  /** Headers on every upgrade request (`--header`, `--token`). */
  readonly headers: Record<string, string>;
  /** Reconnection attempts after a drop before giving up (`--retries`); 0 gives up at the first drop. */
  readonly retries: number;
  /** After stdin ends, how long to wait for the replies to requests still in flight, ms (`--drain-ms`). */
  readonly drainMs: number;
  /** Largest message accepted from either side, bytes. */
  readonly maxMessageSize: number;
  /** Time source for the drain; tests may pass a virtual one. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Bridges an MCP host speaking stdio (newline-delimited JSON-RPC on stdin/stdout) to an MCP server
 * over WebSocket, through `WebSocketClientTransport`: lines from stdin go to the server as they are
 * (ids untouched), the server's messages go to stdout one per line. A dropped connection is
 * reconnected and its session resumed, so the host sees neither the outage nor a reply twice; when
 * the server cannot resume, the requests in flight get an error reply and the new session is
 * initialized as the host did ({@link SessionRecovery}). Resolves with the exit code: 0 when stdin
 * ended (and the replies in flight arrived) or the process was asked to stop, 1 when the connection
 * failed for good.
 */
export function runBridge(io: CliIo, settings: BridgeSettings, reporter: Reporter): Promise<number> {
  return new StdioBridge(io, settings, reporter).run();
}

class StdioBridge {
  private readonly transport: WebSocketClientTransport;
  private readonly pending = new PendingRequests();
  private readonly sending = new BehaviorSubject(0);
  private readonly recovery: SessionRecovery;
  private readonly subscriptions = new Subscription();
  private readonly scheduler: SchedulerLike;
  private state: ClientState = 'closed';
  /** The server sends a session outcome at each open. */
  private sessionBacked = false;
  /** Reopened after a drop: the next session outcome (or the first message) says whether the session resumed. */
  private awaitingSession = false;
  private finished = false;
  private resolve: (code: number) => void = () => undefined;

  constructor(
    private readonly io: CliIo,
    private readonly settings: BridgeSettings,
    private readonly reporter: Reporter,
  ) {
    this.scheduler = settings.scheduler ?? asyncScheduler;
    this.transport = new WebSocketClientTransport(settings.url, {
      protocols: ['mcp'],
      headers: settings.headers,
      maxMessageSize: settings.maxMessageSize,
      reconnect: { maxRetries: settings.retries },
      resume: true,
      scheduler: this.scheduler,
    });
    this.recovery = new SessionRecovery((message) => this.transmit(message), reporter);
  }

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.resolve = resolve;
      const { transport, io } = this;
      this.subscriptions.add(transport.state$.subscribe({ next: (state) => this.onState(state), complete: () => this.finish(ExitCode.Failure, 'the connection closed') }));
      this.subscriptions.add(transport.session$.subscribe((outcome) => this.onSession(outcome)));
      this.subscriptions.add(transport.messages$.subscribe((message) => this.onServerMessage(message)));
      this.subscriptions.add(transport.errors$.subscribe((error) => this.onTransportError(error)));
      this.subscriptions.add(
        readLines(io.stdin, this.settings.maxMessageSize).subscribe({
          next: (line) => this.onHostLine(line),
          error: (error: unknown) => this.finish(ExitCode.Failure, `reading stdin failed: ${describeError(error)}`),
          complete: () => this.endOfInput(),
        }),
      );
      const onStdoutError = (error: Error): void => this.finish(ExitCode.Failure, `writing to stdout failed: ${error.message}`);
      io.stdout.on('error', onStdoutError);
      this.subscriptions.add(() => io.stdout.off('error', onStdoutError));
      const onAbort = (): void => this.finish(ExitCode.Ok, 'stopping');
      io.signal.addEventListener('abort', onAbort, { once: true });
      this.subscriptions.add(() => io.signal.removeEventListener('abort', onAbort));
      // A refused first connection ends in the state stream completing and errors$ saying why.
      transport.start().catch(() => undefined);
    });
  }

  private onHostLine(line: LineEvent): void {
    if (line.kind === 'oversize') {
      this.reporter.warn(`ignored a line from stdin: over the ${this.settings.maxMessageSize}-byte limit`);
      return;
    }
    const decoded = decodeTextFrame(line.text);
    if (E.isLeft(decoded)) {
      this.reporter.warn(`ignored a line from stdin: ${decoded.left.message}`);
      return;
    }
    const message = decoded.right;
    const id = requestIdOf(message);
    if (id !== undefined) this.pending.add(id);
    // A request the host gave up on gets no reply to wait for.
    const cancelled = cancelledIdOf(message);
    if (cancelled !== undefined) this.pending.settle(cancelled);
    const disposition = this.recovery.dispose(message);
    if (disposition === 'send') this.transmit(message);
    else if (disposition === 'full' && id !== undefined && this.pending.settle(id)) {
      this.replyToHost(jsonRpcError(id, JsonRpcErrorCode.ConnectionClosed, 'nexus-mcp connect is holding too many messages while the connection is down'));
    }
  }

  /** Sends one message; a request that cannot be sent (queue full or expired, connection failed) gets an error reply. */
  private transmit(message: JsonObject): void {
    const id = requestIdOf(message);
    this.sending.next(this.sending.value + 1);
    this.transport
      .sendMessage(message)
      .then(
        () => id !== undefined && this.pending.markWritten(id),
        (error: unknown) => {
          if (id === undefined || !this.pending.settle(id)) return;
          this.replyToHost(jsonRpcError(id, JsonRpcErrorCode.ConnectionClosed, `nexus-mcp connect could not send the request: ${describeError(error)}`));
        },
      )
      .finally(() => this.sending.next(this.sending.value - 1))
      .catch(() => undefined);
  }

  private onServerMessage(message: JsonObject): void {
    if (this.awaitingSession) {
      // No session outcome came first: this server offers no sessions (any more).
      this.awaitingSession = false;
      this.sessionBacked = false;
      this.freshSession('the server offers no session resumption');
    }
    if (!this.recovery.passes(message)) return;
    this.replyToHost(message);
    // After writing it: the last reply due may end the bridge.
    const id = responseIdOf(message);
    if (id !== undefined) this.pending.settle(id);
  }

  private onState(state: ClientState): void {
    const previous = this.state;
    this.state = state;
    if (state === 'reconnecting' && previous === 'open') {
      this.reporter.info('the connection dropped; reconnecting');
      this.pending.connectionDropped();
      this.recovery.pause();
    } else if (state === 'open' && previous === 'connecting') {
      this.reporter.info(`connected to ${this.settings.url}`);
    } else if (state === 'open' && previous === 'reconnecting') {
      this.reporter.info('reconnected');
      if (this.sessionBacked) {
        this.awaitingSession = true;
        this.recovery.probe();
      } else {
        this.freshSession('the server offers no session resumption');
      }
    }
  }

  private onSession(outcome: SessionOutcome): void {
    this.sessionBacked = true;
    if (!this.awaitingSession) return;
    this.awaitingSession = false;
    if (outcome.resumed) {
      this.pending.sessionResumed();
      this.recovery.resumed();
      this.reporter.info(`session resumed (${outcome.replayed} missed messages replayed)`);
      return;
    }
    this.freshSession('the server could not resume the session');
  }

  /** The session the host knew is gone: what was in flight on it fails, and the new one is initialized as the host did. */
  private freshSession(why: string): void {
    const lost = this.pending.takeLost();
    for (const id of lost) {
      this.replyToHost(
        jsonRpcError(id, JsonRpcErrorCode.ConnectionClosed, 'The connection to the server dropped and the session could not be resumed; the request may or may not have run'),
      );
    }
    this.reporter.warn(`reconnected with a new session (${why}); ${lost.length} request(s) in flight failed`);
    this.recovery.restart();
  }

  private onTransportError(error: TransportError): void {
    if (error instanceof ConnectionFailedError) this.finish(ExitCode.Failure, `cannot reach ${this.settings.url}: ${error.message}`);
    else if (!(error instanceof SessionExpiredError)) this.reporter.warn(error.message);
  }

  /** stdin ended: waits for the sends to go out and the replies in flight to come back (at most `drainMs`), then stops. */
  private endOfInput(): void {
    const settled = combineLatest([this.pending.size$, this.sending]).pipe(
      filter(([pending, sending]) => pending === 0 && sending === 0),
      take(1),
      map(() => true),
    );
    const gaveUp = timer(this.settings.drainMs, this.scheduler).pipe(map(() => false));
    this.subscriptions.add(
      race(settled, gaveUp).subscribe((done) => {
        if (done) this.finish(ExitCode.Ok);
        else this.finish(ExitCode.Failure, `stdin ended; gave up after ${this.settings.drainMs} ms waiting for ${this.pending.size} reply(ies)`);
      }),
    );
  }

  private replyToHost(message: JsonObject): void {
    if (!this.finished) writeJsonLine(this.io.stdout, message);
  }

  private finish(code: number, message?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (message !== undefined) {
      if (code === ExitCode.Ok) this.reporter.info(message);
      else this.reporter.warn(message);
    }
    this.subscriptions.unsubscribe();
    void this.transport.stop().finally(() => {
      this.pending.complete();
      this.sending.complete();
      this.resolve(code);
    });
  }
}
