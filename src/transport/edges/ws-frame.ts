import type { EncodedFrame } from './edge.js';

/** The wire bytes of each frame, framed once for every socket that takes it as it is. */
const framed = new WeakMap<EncodedFrame, Buffer>();

/**
 * `frame` as one final, unmasked WebSocket text frame (RFC 6455 §5.2): the header and the payload
 * in one buffer, made once per broadcast and written as it is to every socket that negotiated no
 * extension. A server's frames are never masked, so the same bytes serve every client.
 */
export function wsTextFrame(frame: EncodedFrame): Buffer {
  let wire = framed.get(frame);
  if (wire) return wire;
  const payload = frame.bytes;
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  wire = Buffer.allocUnsafe(headerLength + length);
  wire[0] = 0x81; // FIN, text
  if (length < 126) {
    wire[1] = length;
  } else if (length < 65_536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(wire, headerLength);
  framed.set(frame, wire);
  return wire;
}
