/**
 * Frames made once for a broadcast go to each socket as they are, beside the frames ws makes for
 * replies and direct sends: a real ws client must read every one, whole and in order, at every
 * length class of RFC 6455 (7-bit, 16-bit and 64-bit lengths), with and without compression.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { wsTextFrame } from '../../../src/transport/edges/ws-frame.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, RawClient, startServer } from '../../support/sockets.js';

afterEach(closeAll);

const encoded = (text: string) => ({ text, bytes: Buffer.from(text) });

describe('wsTextFrame', () => {
  it.each([
    [0, 2],
    [125, 2],
    [126, 4],
    [65_535, 4],
    [65_536, 10],
  ])('frames a payload of %i bytes with a %i-byte header: FIN, text, unmasked', (length, header) => {
    const wire = wsTextFrame(encoded('x'.repeat(length)));
    expect(wire.length).toBe(length + header);
    expect(wire[0]).toBe(0x81);
    expect((wire[1] ?? 0) & 0x80).toBe(0); // never masked: a server's frame
    expect(wire.subarray(header).toString()).toBe('x'.repeat(length));
  });

  it('frames each broadcast once, whatever the number of sockets', () => {
    const frame = encoded('{"a":1}');
    expect(wsTextFrame(frame)).toBe(wsTextFrame(frame));
  });
});

describe('broadcast frames beside ws frames on a real socket', () => {
  it.each([
    ['without compression', false],
    ['with compression (ws frames every message itself)', true],
  ])('arrive whole and in order %s', async (_how, compression) => {
    const { server, url } = await startServer({ compression });
    const connected = nextValue(server.connections$);
    const raw = await RawClient.open(url, 'mcp', { perMessageDeflate: compression });
    const client = await connected;
    const sizes = [0, 1, 125, 126, 1000, 65_535, 65_536, 200_000];
    const expected: unknown[] = [];
    for (const [n, size] of sizes.entries()) {
      const broadcast = { n, pad: 'b'.repeat(size) };
      const direct = { n, direct: true };
      await server.sendMessage(broadcast);
      await server.sendTo(client.id, direct);
      expected.push(broadcast, direct);
    }
    const received: unknown[] = [];
    for (let i = 0; i < expected.length; i++) received.push(await raw.next());
    expect(received).toEqual(expected);
  });
});
