import type { JsonObject } from '../../protocol/index.js';
import { SerializationError } from '../errors.js';

/** `JSON.stringify` with its failures (cycles, BigInt) turned into a typed error. */
export function serialize(message: JsonObject): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    throw new SerializationError(`Message cannot be serialised to JSON: ${(error as Error).message}`, { cause: error });
  }
}
