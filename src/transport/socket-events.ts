import { Observable } from 'rxjs';
import type { EventEmitter } from 'node:events';
import type { RawData } from 'ws';

/** How a WebSocket ended: its close code and reason. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * An event of a Node emitter as an Observable. Not rxjs's `fromEvent`: ws sockets are also
 * EventTargets, and `fromEvent` prefers that face, which wraps each frame in a MessageEvent.
 */
export function fromEmitter<T>(
  emitter: EventEmitter,
  event: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emitter's argument types are the caller's to state
  select: (...args: any[]) => T,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const listener = (...args: unknown[]): void => subscriber.next(select(...args));
    emitter.on(event, listener);
    return () => emitter.off(event, listener);
  });
}

/** Raw frame data as text: ws hands over a Buffer, an ArrayBuffer or fragments, by `binaryType`. */
export function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
