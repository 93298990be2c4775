/**
 * Hand-made WebSocket frames, written straight onto the TCP socket under a connected ws client:
 * what a broken or hostile peer sends and ws's own sender never would (reserved bits, bad
 * opcodes, unmasked frames, a new message in the middle of a fragmented one).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** RFC 6455 §5.2 opcodes. */
export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** One frame as it goes on the wire. Defaults: final, no reserved bits, masked (as a client must). */
export interface RawFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  readonly masked?: boolean;
}

/** Encodes one frame, masking its payload with a random key unless `masked` is false. */
export function encodeFrame(frame: RawFrame): Buffer {
  const { opcode, payload, fin = true, rsv1 = false, rsv2 = false, rsv3 = false, masked = true } = frame;
  const first = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, maskBit | length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(length, 2);
    header[0] = first;
    header[1] = maskBit | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(length), 2);
    header[0] = first;
    header[1] = maskBit | 127;
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i += 1) body[i] = (body[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([header, key, body]);
}

/** The TCP socket under a ws socket (ws keeps it private; tests need the raw wire). */
export function tcpSocketOf(socket: WebSocket): Socket {
  return (socket as unknown as { _socket: Socket })._socket;
}

/** Writes frames (or any bytes) onto the wire under `socket`, bypassing ws's sender. */
export function writeRaw(socket: WebSocket, ...chunks: (RawFrame | Uint8Array)[]): void {
  tcpSocketOf(socket).write(Buffer.concat(chunks.map((chunk) => (chunk instanceof Uint8Array ? chunk : encodeFrame(chunk)))));
}

/** A final, masked text frame carrying `text` as UTF-8. */
export function textFrame(text: string): RawFrame {
  return { opcode: Opcode.Text, payload: Buffer.from(text, 'utf8') };
}
