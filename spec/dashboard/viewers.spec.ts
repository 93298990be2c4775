/**
 * A viewer that stops reading is dropped, not buffered for: DashboardViewers over a real listener
 * and a real `ws` client that pauses its socket while frames keep coming.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DashboardViewers, MAX_VIEWER_BUFFER } from '../../src/transport/dashboard/dashboard-viewers.js';
import { closeAll, track } from '../support/resources.js';

afterEach(closeAll);

async function listening(viewers: DashboardViewers): Promise<number> {
  const server = track(createServer(), (s) => new Promise((resolve) => s.close(resolve)));
  server.on('upgrade', (request, socket, head) => viewers.accept(request, socket, head, () => JSON.stringify({ type: 'hello' })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

describe('dashboard viewers', () => {
  it('terminates a viewer whose socket holds more than MAX_VIEWER_BUFFER unsent, and keeps serving one that reads', async () => {
    const viewers = track(new DashboardViewers(4), (v) => v.close());
    const port = await listening(viewers);
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const socket = track(new WebSocket(`ws://127.0.0.1:${port}`), (s) => s.terminate());
        socket.once('message', () => resolve(socket)); // the hello
        socket.once('error', reject);
      });
    const stalled = await open();
    const reader = await open();
    let read = 0;
    reader.on('message', () => read++);
    const stalledClosed = new Promise<number>((resolve) => stalled.once('close', resolve));
    stalled.pause();
    const frame = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (viewers.size === 2 && sent < 2000) {
      viewers.send(frame);
      sent++;
      // Let the sockets move bytes, so the reader drains and the stalled one's buffer grows.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(viewers.size).toBe(1);
    expect(viewers.dropped).toBe(1);
    expect(sent * frame.length).toBeGreaterThan(MAX_VIEWER_BUFFER);
    stalled.resume(); // it reads what was sent, then finds the connection cut, with no close frame
    expect(await stalledClosed).toBe(1006);
    viewers.send('{"type":"after"}');
    await new Promise<void>((resolve) => reader.on('message', (data: Buffer) => data.toString('utf8').includes('after') && resolve()));
    expect(read).toBeGreaterThan(0);
  });
});
