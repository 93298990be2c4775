import type { JsonObject } from '../../../protocol/index.js';
import type { EncodedFrame } from '../../edges/edge.js';
import type { Connection } from '../clients/connection.js';
import { serialize } from '../serialize.js';

/** One message for every client, on its way through the broadcast subject; its subscriber fills in the outcome. */
export interface Broadcast {
  readonly message: JsonObject;
  /** Clients it was handed to. */
  reached: number;
  /** Why it went nowhere (it could not be serialised). */
  failure: unknown;
  /** The message encoded, once it was: what the cluster publishes to the other nodes. */
  frame?: EncodedFrame;
}

/** A message encoded once: the text for replay logs, its UTF-8 bytes for every socket. */
export function encodeFrame(message: JsonObject): EncodedFrame {
  const text = serialize(message);
  return { text, bytes: Buffer.from(text, 'utf8') };
}

/**
 * The subscriber of the server's broadcast subject: serialises each message once, to bytes, and
 * writes the same bytes to every client, each client's writes held to the end of the event-loop
 * turn so that a burst of broadcasts leaves in one write per socket. Map iteration tolerates
 * clients joining and leaving meanwhile, and a write never adds or removes one synchronously.
 */
export function writeToEveryClient(clients: () => Iterable<Connection>): (broadcast: Broadcast) => void {
  return (broadcast) => {
    let frame: EncodedFrame;
    try {
      frame = encodeFrame(broadcast.message);
    } catch (error) {
      broadcast.failure = error;
      return;
    }
    broadcast.frame = frame;
    broadcast.reached = writeFrameToEach(clients(), frame);
  };
}

/** Writes one encoded frame to every client, each held to the end of the turn; returns how many took it. */
export function writeFrameToEach(clients: Iterable<Connection>, frame: EncodedFrame): number {
  let reached = 0;
  for (const client of clients) {
    if (client.writeFrame(frame, true)) reached += 1;
  }
  return reached;
}
