import { map, of, race, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { InFlightCalls } from './in-flight.js';

/**
 * Emits once the calls in flight have all finished, or once `drainMs` has passed, whichever comes
 * first, then completes: the wait of a graceful stop. With nothing running, or `drainMs` 0, at once.
 */
export function drained(calls: InFlightCalls, drainMs: number, scheduler: SchedulerLike): Observable<void> {
  if (drainMs <= 0) return of(undefined);
  return race(calls.idle$, timer(drainMs, scheduler)).pipe(map(() => undefined));
}
