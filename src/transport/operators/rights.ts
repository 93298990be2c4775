import * as E from 'fp-ts/lib/Either.js';
import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Passes on the `Right` values of a stream of `Either`s and hands each `Left` to `onLeft`: errors
 * stay values until the edge of the pipeline, and one bad item never ends a stream others share.
 */
export function rights<L, R>(onLeft: (left: L) => void): OperatorFunction<E.Either<L, R>, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (either) => {
          if (E.isRight(either)) subscriber.next(either.right);
          else onLeft(either.left);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
