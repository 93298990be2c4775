import type { Socket } from 'node:net';

/** Past this many bytes held in one socket, they go out at once rather than at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

/** Where a link remembers the turn of the event loop it last wrote in. */
export interface TurnMark {
  turn: number;
}

const held = new Set<Socket>();
/** Counts turns of the event loop in which something was written; a mark from an older turn is stale. */
let currentTurn = 1;
let turnEnding = false;

/**
 * Batches a burst of writes to one socket into one system call, without delaying a lone write.
 * The first write of a turn goes out as it is (as raw ws would send it); a second write to the same
 * socket in the same turn corks the socket, and everything it is given until the end of the turn
 * leaves in one write. So a burst of broadcasts (say 100 awaited `broadcastNotification` calls)
 * costs one system call per socket, not one per message and socket, while broadcasts that come in
 * turns of their own (the usual case) go out at once: holding those to the end of the turn kept
 * 10k sockets' pending writes alive across it, and the garbage collector paid for that
 * (docs/benchmarks.md).
 *
 * A turn boundary, not a delay: `setImmediate` runs as soon as the current I/O callbacks are done,
 * so this is not a time source an rxjs scheduler should own.
 */
export function batchWrites(socket: Socket, mark: TurnMark): void {
  if (mark.turn !== currentTurn) {
    mark.turn = currentTurn;
    endTurnSoon();
    return;
  }
  if (held.has(socket)) {
    if (socket.writableLength >= FLUSH_BYTES) {
      socket.uncork();
      socket.cork();
    }
    return;
  }
  socket.cork();
  held.add(socket);
}

function endTurnSoon(): void {
  if (turnEnding) return;
  turnEnding = true;
  setImmediate(endTurn);
}

function endTurn(): void {
  turnEnding = false;
  currentTurn += 1;
  for (const socket of held) socket.uncork();
  held.clear();
}
