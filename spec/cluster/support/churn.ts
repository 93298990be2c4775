/**
 * Connection churn for the memory test: `workers` loops, each opening a WebSocket through the
 * balancer (asking for a resumable session, as our client does), waiting for the session frame,
 * then leaving — every other time with a close handshake, else by cutting the socket, so that both
 * a clean leave and a dropped client (whose session waits out its window) are exercised. Plain `ws`
 * sockets keep the test process cheap, leaving the CPU to the nodes.
 */
import { WebSocket } from 'ws';
import { SESSION_HEADER } from '../../../src/protocol/session-frame.js';

export interface ChurnResult {
  readonly cycles: number;
  readonly failures: number;
  readonly lastFailure: string | undefined;
}

/** Runs connect/leave cycles until `durationMs` has passed; resolves with how many completed. */
export async function churn(url: string, workers: number, durationMs: number): Promise<ChurnResult> {
  const deadline = Date.now() + durationMs;
  let cycles = 0;
  let failures = 0;
  let lastFailure: string | undefined;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        await cycle(url, cycles % 2 === 0);
        cycles += 1;
      } catch (error) {
        failures += 1;
        lastFailure = error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { cycles, failures, lastFailure };
}

/** One client's life: open, get the session frame, leave cleanly or abruptly. */
function cycle(url: string, clean: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'mcp', { headers: { [SESSION_HEADER]: 'new' } });
    const giveUp = setTimeout(() => {
      socket.terminate();
      reject(new Error('no session frame within 10 s'));
    }, 10_000);
    socket.once('error', (error) => {
      clearTimeout(giveUp);
      reject(error);
    });
    socket.once('message', () => {
      clearTimeout(giveUp);
      if (!clean) {
        socket.terminate();
        resolve();
        return;
      }
      socket.once('close', () => resolve());
      socket.close(1000);
    });
  });
}
