import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { holdWritesForThisTurn } from '../../../src/transport/flow/write-batch.js';

/** A connected TCP pair on 127.0.0.1: `sender` is the server's end, `receiver` the client's. */
async function socketPair(): Promise<{ server: Server; sender: Socket; receiver: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no address');
  const receiver = connect(address.port, '127.0.0.1');
  const [sender] = await accepted;
  return { server, sender, receiver };
}

const opened: { server: Server; sender: Socket; receiver: Socket }[] = [];
afterEach(async () => {
  for (const { server, sender, receiver } of opened.splice(0)) {
    sender.destroy();
    receiver.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('holdWritesForThisTurn', () => {
  it('holds a burst of writes in the socket until the end of the turn, then sends it whole', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const received: Buffer[] = [];
    pair.receiver.on('data', (chunk: Buffer) => received.push(chunk));
    for (const part of ['a', 'b', 'c']) {
      holdWritesForThisTurn(pair.sender);
      pair.sender.write(part);
    }
    expect(pair.sender.writableCorked).toBe(1);
    expect(pair.sender.writableLength).toBe(3); // nothing handed to the kernel yet
    await nextTurn();
    expect(pair.sender.writableCorked).toBe(0);
    while (Buffer.concat(received).length < 3) await once(pair.receiver, 'data');
    expect(Buffer.concat(received).toString()).toBe('abc');
  });

  it('lets a large burst out early instead of holding more than 64 KiB', async () => {
    const pair = await socketPair();
    opened.push(pair);
    holdWritesForThisTurn(pair.sender);
    pair.sender.write(Buffer.alloc(70 * 1024));
    expect(pair.sender.writableLength).toBe(70 * 1024);
    holdWritesForThisTurn(pair.sender); // over the bound: flushed now, held again after
    expect(pair.sender.writableLength).toBeLessThan(70 * 1024);
    expect(pair.sender.writableCorked).toBe(1);
    await nextTurn();
    expect(pair.sender.writableCorked).toBe(0);
  });
});
