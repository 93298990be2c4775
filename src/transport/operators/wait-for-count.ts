import {
  asyncScheduler,
  defaultIfEmpty,
  filter,
  firstValueFrom,
  map,
  of,
  take,
  timeout,
  type Observable,
  type SchedulerLike,
} from 'rxjs';

/**
 * Emits `true` as soon as `count$` reaches `min`, or `false` after `timeoutMs` (or if `count$`
 * completes first), then completes. With a replaying `count$` an already-met goal answers at once.
 *
 * @example countReached(transport.clientCount$, 2, 30_000).subscribe(ok => …)
 */
export function countReached(
  count$: Observable<number>,
  min: number,
  timeoutMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<boolean> {
  return count$.pipe(
    // filter + take, not first(): first() errors with EmptyError when count$ completes unmet.
    filter((count) => count >= min),
    take(1),
    map(() => true),
    timeout({ first: timeoutMs, with: () => of(false), scheduler }),
    defaultIfEmpty(false),
  );
}

/** The promise form of {@link countReached}: resolves `true` or `false`, never rejects. */
export function waitForCount(
  count$: Observable<number>,
  min: number,
  timeoutMs: number,
  scheduler?: SchedulerLike,
): Promise<boolean> {
  return firstValueFrom(countReached(count$, min, timeoutMs, scheduler), { defaultValue: false });
}
