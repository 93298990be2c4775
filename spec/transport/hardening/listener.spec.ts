import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createListener, trackedConnections } from '../../../src/transport/listener.js';
import { closeAll, track } from '../../support/resources.js';
import { RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

describe("the transport's own listener", () => {
  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const { url } = await startServer();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url.replace('ws://', 'http://'), (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(426);
  });

  it('stop() is not held up by a TCP connection that never sends a request', async () => {
    const { server, url } = await startServer();
    await RawClient.open(url, 'mcp');
    const stalled = connect(Number(new URL(url).port), '127.0.0.1');
    stalled.on('error', () => undefined);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    const dropped = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    await server.stop();
    await dropped;
  });

  it('stops accepting connections as soon as stop() begins', async () => {
    const { server, url } = await startServer({ stopGraceMs: 2000 });
    const lingering = await RawClient.open(url, 'mcp');
    // This client ignores the 1001 for now, so stop() is still waiting when the next one tries.
    lingering.socket.pause();
    const stopping = server.stop();
    const late = RawClient.connect(url, 'mcp');
    const error = await new Promise<Error>((resolve) => late.socket.once('error', resolve));
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    lingering.socket.resume();
    await stopping;
  });
});

describe('createListener', () => {
  it('forgets each TCP connection once it has closed, so a long-lived server does not keep them', async () => {
    const listener = track(createListener(undefined), (server) => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const socket = track(connect(port, '127.0.0.1', () => resolve(socket)), (opened) => opened.destroy());
      })),
    );
    await expect.poll(() => trackedConnections(listener)).toBe(20);
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.end(() => resolve()))));
    await expect.poll(() => trackedConnections(listener)).toBe(0);
  });
});
