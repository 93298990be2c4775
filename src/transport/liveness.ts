import { firstValueFrom, map, race, timer, type SchedulerLike } from 'rxjs';
import type { WebSocket } from 'ws';
import { fromEmitter } from './socket-events.js';

/**
 * Pings `socket` and resolves `true` if it answers within `withinMs`, `false` if it stays silent
 * or closes. Tells a connection in use from a dead one the server has not noticed yet (a peer
 * whose network vanished leaves its socket looking open until a heartbeat or a write fails).
 */
export function answersPing(socket: WebSocket, withinMs: number, scheduler: SchedulerLike): Promise<boolean> {
  const answer = firstValueFrom(
    race(
      fromEmitter(socket, 'pong', () => true),
      fromEmitter(socket, 'close', () => false),
      timer(withinMs, scheduler).pipe(map(() => false)),
    ),
  );
  try {
    socket.ping();
  } catch {
    return Promise.resolve(false);
  }
  return answer;
}
