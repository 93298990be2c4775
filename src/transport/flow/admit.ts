import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Lets through what `verdict` accepts (`undefined`) and hands everything else, with its verdict, to
 * `refuse`. The shape every admission policy of the pipeline shares (message rate, in-flight cap,
 * stopping): a pure verdict, and one place that acts on refusals.
 */
export function admit<T, R>(verdict: (item: T) => R | undefined, refuse: (item: T, refusal: R) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (item) => {
          const refusal = verdict(item);
          if (refusal === undefined) subscriber.next(item);
          else refuse(item, refusal);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
