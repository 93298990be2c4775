import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { batchWrites } from '../../../src/transport/flow/write-batch.js';

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

describe('batchWrites', () => {
  it('lets the first write of a turn go out at once, then holds the rest of a burst to the end of the turn', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const mark = { turn: 0 };
    const received: Buffer[] = [];
    pair.receiver.on('data', (chunk: Buffer) => received.push(chunk));
    for (const part of ['a', 'b', 'c']) {
      batchWrites(pair.sender, mark);
      pair.sender.write(part);
    }
    expect(pair.sender.writableCorked).toBe(1);
    expect(pair.sender.writableLength).toBe(2); // 'a' went to the kernel; 'b' and 'c' wait together
    await nextTurn();
    expect(pair.sender.writableCorked).toBe(0);
    while (Buffer.concat(received).length < 3) await once(pair.receiver, 'data');
    expect(Buffer.concat(received).toString()).toBe('abc');
  });

  it('never holds a lone write per turn: one broadcast per turn goes out as it comes', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const mark = { turn: 0 };
    for (const part of ['a', 'b']) {
      batchWrites(pair.sender, mark);
      pair.sender.write(part);
      expect(pair.sender.writableCorked).toBe(0);
      expect(pair.sender.writableLength).toBe(0);
      await nextTurn();
    }
  });

  it('lets a large burst out early instead of holding more than 64 KiB', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const mark = { turn: 0 };
    batchWrites(pair.sender, mark);
    pair.sender.write('first');
    batchWrites(pair.sender, mark);
    pair.sender.write(Buffer.alloc(70 * 1024));
    expect(pair.sender.writableLength).toBe(70 * 1024);
    batchWrites(pair.sender, mark); // over the bound: flushed now, held again after
    expect(pair.sender.writableLength).toBeLessThan(70 * 1024);
    expect(pair.sender.writableCorked).toBe(1);
    await nextTurn();
    expect(pair.sender.writableCorked).toBe(0);
  });
});
