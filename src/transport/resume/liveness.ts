import { firstValueFrom, map, race, take, timer, type Observable, type SchedulerLike } from 'rxjs';

/**
 * Pings a peer and resolves `true` if it answers (`pong$` emits) within `withinMs`, `false` if it
 * stays silent. Tells a connection in use from a dead one the server has not noticed yet: a peer
 * whose network vanished leaves its connection looking open until a heartbeat or a write fails.
 * A peer that cannot be pinged (`ping` answers `false`) counts as alive: better to refuse a resume
 * than to cut a live connection.
 */
export function answersPing(ping: () => boolean, pong$: Observable<unknown>, withinMs: number, scheduler: SchedulerLike): Promise<boolean> {
  const answer = firstValueFrom(race(pong$.pipe(take(1), map(() => true)), timer(withinMs, scheduler).pipe(map(() => false))));
  try {
    if (!ping()) return Promise.resolve(true);
  } catch {
    return Promise.resolve(false);
  }
  return answer;
}
