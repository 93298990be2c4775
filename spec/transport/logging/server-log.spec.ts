/**
 * The errors$ → log mapping on its own, in virtual time: levels by kind, the refusal summary's
 * window, slow consumers. The streams are plain Subjects standing in for the server's streams; the
 * logger is a real pino logger.
 */
import { pino } from 'pino';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ClusterError, HandlerError, RateLimitedError, UpgradeRefusedError, type TransportErrorEvent } from '../../../src/transport/index.js';
import type { SlowConsumerEvent } from '../../../src/transport/flow/slow-consumer.js';
import type { ClientConnection } from '../../../src/transport/server/clients/client-connection.js';
import type { Disconnection } from '../../../src/transport/server/clients/peers.js';
import { logServerEvents, REFUSAL_SUMMARY_MS } from '../../../src/transport/server/logging/server-log.js';

type Line = Record<string, unknown> & { level: number; msg: string };

function setUp(level = 'debug') {
  const lines: Line[] = [];
  const logger = pino({ level }, { write: (chunk: string) => lines.push(JSON.parse(chunk) as Line) });
  const scheduler = new VirtualTimeScheduler();
  const streams = {
    errors$: new Subject<TransportErrorEvent>(),
    slowConsumer$: new Subject<SlowConsumerEvent>(),
    connections$: new Subject<ClientConnection>(),
    disconnections$: new Subject<Disconnection>(),
  };
  const logging = logServerEvents(streams, logger, scheduler);
  return { lines, scheduler, streams, logging };
}

describe('logServerEvents', () => {
  it('logs a lost cluster bus at warn with err, a handler failure at error with the clientId bound', () => {
    const { lines, streams } = setUp('info');
    streams.errors$.next({ error: new ClusterError('Lost the cluster bus: ECONNRESET') });
    streams.errors$.next({ error: new HandlerError('boom'), clientId: 'c1' });
    expect(lines).toMatchObject([
      { level: 40, code: 'cluster', msg: 'nexus-mcp: Lost the cluster bus: ECONNRESET', err: { type: 'ClusterError' } },
      { level: 50, code: 'handler_failed', clientId: 'c1', err: { message: 'boom' } },
    ]);
  });

  it('sums up peer-caused refusals once per window, however many arrive', () => {
    const { lines, scheduler, streams } = setUp('info');
    for (let i = 0; i < 1000; i += 1) streams.errors$.next({ error: new UpgradeRefusedError('Origin not allowed', 403, '10.0.0.1') });
    for (let i = 0; i < 3; i += 1) streams.errors$.next({ error: new RateLimitedError('over the rate'), clientId: `c${i}` });
    expect(lines).toEqual([]); // each is debug, below info
    scheduler.flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, windowMs: REFUSAL_SUMMARY_MS, refused: { 'upgrades refused': 1000, 'messages refused (rate limit)': 3 } });
    expect(scheduler.now()).toBe(REFUSAL_SUMMARY_MS);

    // A quiet period logs nothing; the next refusal starts a new window.
    streams.errors$.next({ error: new UpgradeRefusedError('Origin not allowed', 403, '10.0.0.1') });
    scheduler.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]?.['refused']).toEqual({ 'upgrades refused': 1 });
  });

  it('logs congested and disconnected slow consumers at warn with the clientId bound, not drained ones', () => {
    const { lines, streams } = setUp('info');
    const event = { clientId: 'slow-1', policy: 'drop-oldest', bufferedAmount: 9_000_000, dropped: 0, heldBytes: 0 } as const;
    streams.slowConsumer$.next({ ...event, kind: 'congested' });
    streams.slowConsumer$.next({ ...event, kind: 'drained' });
    streams.slowConsumer$.next({ ...event, kind: 'disconnected', dropped: 12 });
    expect(lines).toMatchObject([
      { level: 40, clientId: 'slow-1', kind: 'congested', msg: 'nexus-mcp: slow consumer congested' },
      { level: 40, clientId: 'slow-1', kind: 'disconnected', dropped: 12 },
    ]);
  });

  it('flushes a pending summary when unsubscribed (the server stopping)', () => {
    const { lines, streams, logging } = setUp('info');
    streams.errors$.next({ error: new UpgradeRefusedError('Unauthorized', 401, '10.0.0.2') });
    logging.unsubscribe();
    expect(lines).toMatchObject([{ level: 40, refused: { 'upgrades refused': 1 } }]);
  });
});
