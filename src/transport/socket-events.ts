import { Observable, share, take } from 'rxjs';
import type { EventEmitter } from 'node:events';
import type { RawData, WebSocket } from 'ws';

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface Frame {
  readonly data: RawData;
  readonly isBinary: boolean;
}

/** A ws socket seen as Observables: the one place the transport touches ws's event emitter. */
export interface SocketEvents {
  readonly frames$: Observable<Frame>;
  /** Emits once, when the socket has closed, and completes. */
  readonly close$: Observable<CloseInfo>;
  readonly pong$: Observable<unknown>;
  readonly error$: Observable<Error>;
}

export function socketEvents(socket: WebSocket): SocketEvents {
  return {
    frames$: fromEmitter(socket, 'message', (data: RawData, isBinary: boolean): Frame => ({ data, isBinary })),
    close$: fromEmitter(socket, 'close', (code: number, reason: Buffer): CloseInfo => ({ code, reason: reason.toString() })).pipe(
      take(1),
      share(),
    ),
    pong$: fromEmitter(socket, 'pong', () => undefined),
    error$: fromEmitter(socket, 'error', (error: Error) => error),
  };
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
