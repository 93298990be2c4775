import { firstValueFrom, from, lastValueFrom, race, timer, type SchedulerLike } from 'rxjs';
import { CloseCode } from '../close-codes.js';
import type { Edge } from '../edges/edge.js';
import { drained } from '../flow/drain.js';
import { TransportStoppedError } from '../errors.js';
import type { InFlightCalls } from '../flow/in-flight.js';
import type { Connection } from './clients/connection.js';
import type { Peers } from './clients/peers.js';

export interface ShutdownParts {
  readonly edges: readonly Edge[];
  readonly peers: Peers;
  readonly calls: InFlightCalls;
  readonly drainMs: number;
  readonly stopGraceMs: number;
  readonly scheduler: SchedulerLike;
}

/**
 * A graceful stop, once the server has begun refusing new work: the edge stops accepting; the calls
 * in flight get up to `drainMs` to finish (their replies still go out); then what still runs is
 * cancelled (Observable replies end, client signals abort) and given up to `stopGraceMs` to settle
 * (a reply that comes meanwhile still goes out); then every client is closed with 1001, and those
 * that have not closed after another `stopGraceMs` are terminated; last, the edge lets go of
 * whatever it still holds.
 */
export async function closeGracefully({ edges, peers, calls, drainMs, stopGraceMs, scheduler }: ShutdownParts): Promise<void> {
  const stoppedAccepting = Promise.all(edges.map((edge) => edge.stopAccepting()));
  await firstValueFrom(drained(calls, drainMs, scheduler), { defaultValue: undefined });
  const clients = [...peers.values()];
  // The drain is over: cancel what still runs (Observable replies end; signals abort), and give
  // what settles within the grace its reply before the connections close.
  const stopped = new TransportStoppedError('The server stopped before this finished');
  for (const client of clients) client.cancelWork(stopped);
  await firstValueFrom(drained(calls, stopGraceMs, scheduler), { defaultValue: undefined });
  for (const client of clients) {
    // A dropped client waiting to resume has no connection to close: its session ends here.
    if (client.isOpen) client.close(CloseCode.GoingAway, 'Server shutting down');
    else peers.finish(client, { code: CloseCode.GoingAway, reason: 'Server shutting down' });
  }
  const allClosed = Promise.all(clients.map(closedOf));
  await firstValueFrom(race(from(allClosed), timer(stopGraceMs, scheduler)));
  for (const client of clients) if (peers.get(client.id) === client) client.terminate();
  await allClosed;
  await stoppedAccepting;
  await Promise.all(edges.map((edge) => edge.close()));
}

function closedOf(client: Connection): Promise<unknown> {
  return lastValueFrom(client.closed$, { defaultValue: undefined });
}
