import { Subscription, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { SlowConsumerEvent } from '../../flow/slow-consumer.js';
import type { TransportErrorEvent } from '../../errors.js';
import type { ClientConnection } from '../clients/client-connection.js';
import { clientLogger, type LogLevel, type StructuredLogger } from './logger.js';
import type { Disconnection } from '../clients/peers.js';

/** The server's streams that the log reads. */
export interface LoggedStreams {
  readonly errors$: Observable<TransportErrorEvent>;
  readonly slowConsumer$: Observable<SlowConsumerEvent>;
  readonly connections$: Observable<ClientConnection>;
  readonly disconnections$: Observable<Disconnection>;
}

/** How often, at most, a summary of refused and abusive traffic is logged, ms. */
export const REFUSAL_SUMMARY_MS = 60_000;

/**
 * Problems a peer can cause at will (many per second, from many addresses): each is a debug line,
 * and a warning sums them up at most once per {@link REFUSAL_SUMMARY_MS}, so an attacker cannot
 * flood the log.
 */
const SUMMARISED: Readonly<Record<string, string>> = {
  upgrade_refused: 'upgrades refused',
  handshake_dropped: 'handshakes dropped',
  server_full: 'connections refused (server full)',
  rate_limited: 'messages refused (rate limit)',
  overloaded: 'messages refused (maxInFlight)',
  invalid_frame: 'invalid frames',
  message_too_large: 'messages too large',
  inbox_overflow: 'receiveMessage() buffer overflows',
};

/** The level of each other error code; unknown codes are warnings. */
const LEVEL_OF: Readonly<Record<string, LogLevel>> = {
  handler_failed: 'error',
  serialization_failed: 'error',
  cluster: 'warn',
  socket_error: 'debug',
  session_expired: 'debug',
  resume_refused: 'debug',
};

/**
 * Maps the server's streams to log lines: errors by kind (handler failures as `error` with `err`,
 * cluster bus losses as `warn`, peer-caused refusals as `debug` plus a rate-limited summary), slow
 * consumers as `warn`, connects and disconnects as `debug`. Lines about one client come from a
 * child logger bound to its `clientId`, made only for that line. Unsubscribe to stop.
 */
export function logServerEvents(streams: LoggedStreams, logger: StructuredLogger, scheduler: SchedulerLike): Subscription {
  const subscription = new Subscription();
  const summary = refusalSummary(logger, scheduler, subscription);
  subscription.add(
    streams.errors$.subscribe(({ error, clientId }) => {
      const fields = { err: error, code: error.code };
      const summarised = SUMMARISED[error.code];
      if (summarised !== undefined) summary(summarised);
      const level = summarised === undefined ? (LEVEL_OF[error.code] ?? 'warn') : 'debug';
      const target = clientId === undefined ? logger : clientLogger(logger, level, { clientId });
      target?.[level as 'debug' | 'info' | 'warn' | 'error'](fields, `nexus-mcp: ${error.message}`);
    }),
  );
  subscription.add(
    streams.slowConsumer$.subscribe((event) => {
      if (event.kind === 'drained') return;
      const { clientId, kind, policy, bufferedAmount, dropped } = event;
      clientLogger(logger, 'warn', { clientId })?.warn({ kind, policy, bufferedAmount, dropped }, `nexus-mcp: slow consumer ${kind}`);
    }),
  );
  subscription.add(
    streams.connections$.subscribe((client) => {
      clientLogger(logger, 'debug', { clientId: client.id })?.debug({ address: client.remoteAddress }, 'nexus-mcp: client connected');
    }),
  );
  subscription.add(
    streams.disconnections$.subscribe(({ clientId, code, reason }) => {
      clientLogger(logger, 'debug', { clientId })?.debug({ code, reason }, 'nexus-mcp: client disconnected');
    }),
  );
  return subscription;
}

/** Counts summarised events; the first in a quiet period starts a timer that logs the counts once. */
function refusalSummary(logger: StructuredLogger, scheduler: SchedulerLike, owner: Subscription): (what: string) => void {
  const counts = new Map<string, number>();
  let pending: Subscription | undefined;
  const flush = (): void => {
    if (pending) owner.remove(pending);
    pending = undefined;
    const refused = Object.fromEntries(counts);
    counts.clear();
    const text = Object.entries(refused).map(([what, n]) => `${n} ${what}`).join(', ');
    logger.warn({ refused, windowMs: REFUSAL_SUMMARY_MS }, `nexus-mcp: in the last ${REFUSAL_SUMMARY_MS / 1000}s: ${text}`);
  };
  // Stopping logs what was counted so far rather than losing it.
  owner.add(() => {
    if (pending) flush();
  });
  return (what) => {
    counts.set(what, (counts.get(what) ?? 0) + 1);
    if (pending) return;
    pending = timer(REFUSAL_SUMMARY_MS, scheduler).subscribe(flush);
    owner.add(pending);
  };
}
