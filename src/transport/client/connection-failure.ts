import { classifyCloseCode } from '../close-codes.js';
import { ConnectionFailedError } from '../errors.js';
import { SocketClosed } from './client-socket.js';

/**
 * Why the client gave up, in words that say what to do: a close code that forbids reconnecting,
 * reconnecting turned off, or the retries spent (with the last close), or a socket that never opened.
 */
export function connectionFailure(error: unknown, maxRetries: number): ConnectionFailedError {
  if (!(error instanceof SocketClosed)) {
    return new ConnectionFailedError(`Connection failed: ${error instanceof Error ? error.message : String(error)}`, undefined, undefined, { cause: error });
  }
  const close = `${error.code} (${error.reason || 'no reason'})`;
  const message =
    classifyCloseCode(error.code) === 'fatal'
      ? `Connection closed with ${close}, which does not allow reconnecting`
      : maxRetries === 0
        ? `Connection closed with ${close} and reconnecting is disabled`
        : `Gave up reconnecting after ${maxRetries} retries; last close ${close}`;
  return new ConnectionFailedError(message, error.code, error.reason, { cause: error });
}
