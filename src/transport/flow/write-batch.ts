import type { Socket } from 'node:net';

/** Past this many bytes held in one socket, they go out at once rather than at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

const held = new Set<Socket>();
let flushPending = false;

/**
 * Holds a socket's writes until the end of this turn of the event loop, so that a burst of
 * broadcasts (say 100 awaited `broadcastNotification` calls) leaves in one write per socket
 * instead of one system call per message and socket. The benchmarks measured the per-write call
 * as the bulk of a broadcast's cost (docs/benchmarks.md).
 *
 * It is a turn boundary, not a delay: `setImmediate` runs as soon as the current I/O callbacks
 * are done, so this is not a time source an rxjs scheduler should own.
 */
export function holdWritesForThisTurn(socket: Socket): void {
  if (held.has(socket)) {
    if (socket.writableLength >= FLUSH_BYTES) {
      socket.uncork();
      socket.cork();
    }
    return;
  }
  socket.cork();
  held.add(socket);
  if (!flushPending) {
    flushPending = true;
    setImmediate(flushHeldWrites);
  }
}

function flushHeldWrites(): void {
  flushPending = false;
  for (const socket of held) socket.uncork();
  held.clear();
}
