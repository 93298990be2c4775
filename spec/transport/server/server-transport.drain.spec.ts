/** `stop({ drainMs })` over real sockets: what runs may finish, nothing new starts, the rest is cancelled. */
import { delay, finalize, map, of, timer } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from '../../support/resources.js';
import { nextValue, nextValues, RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe('stop({ drainMs })', () => {
  it('lets an unfinished handler call reply before clients see 1001', async () => {
    const { server, url } = await startServer({ messageHandler: () => of({ type: 'done' }).pipe(delay(200)) });
    const raw = await RawClient.open(url);
    raw.socket.send(JSON.stringify({ type: 'slow' }));
    await nextValue(server.messages$);
    await server.stop({ drainMs: 5000 });
    expect(await raw.next()).toEqual({ type: 'done' });
    expect((await raw.closed).code).toBe(1001);
  });

  it('cancels what is still running at the deadline', async () => {
    let cancelled = false;
    const { server, url } = await startServer({
      messageHandler: () =>
        timer(60_000).pipe(
          map(() => ({ type: 'never' })),
          finalize(() => (cancelled = true)),
        ),
    });
    const raw = await RawClient.open(url);
    raw.socket.send(JSON.stringify({ type: 'forever' }));
    await nextValue(server.messages$);
    await server.stop({ drainMs: 100 });
    expect((await raw.closed).code).toBe(1001);
    expect(cancelled).toBe(true);
    expect(await lastFrames(raw)).toEqual([]);
  });

  it('does not start a handler call for a message that arrives during the drain: the sender is told the server is stopping', async () => {
    let calls = 0;
    const { server, url } = await startServer({
      messageHandler: () => {
        calls += 1;
        return of({ type: 'done' }).pipe(delay(200));
      },
    });
    const raw = await RawClient.open(url);
    const seen = nextValues(server.messages$.pipe(map(({ message }) => message)), 2);
    raw.socket.send(JSON.stringify({ type: 'slow' }));
    await nextValue(server.messages$);
    const stopped = server.stop({ drainMs: 5000 });
    raw.socket.send(JSON.stringify({ type: 'late' }));
    expect(await raw.next()).toEqual({ type: 'error', error: 'The server is shutting down', code: 'shutting_down' });
    expect(await raw.next()).toEqual({ type: 'done' });
    await stopped;
    expect((await raw.closed).code).toBe(1001);
    expect(calls).toBe(1);
    // Still on messages$: only the handler call is refused.
    expect(await seen).toEqual([{ type: 'slow' }, { type: 'late' }]);
  });
});

async function lastFrames(raw: RawClient): Promise<unknown[]> {
  const frames: unknown[] = [];
  for (;;) {
    const frame = await raw.next().catch(() => undefined);
    if (frame === undefined) return frames;
    frames.push(frame);
  }
}
