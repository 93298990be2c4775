import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * {@link admit} for a verdict that may come later (a rate limit kept in Redis): each client's items
 * still come out in the order they went in, while different clients do not wait for each other. An
 * item whose verdict is synchronous, from a client with nothing waiting, passes at once — the fast
 * path, with no promise. On completion, what still waits for a verdict is let finish first.
 */
export function admitInOrder<T extends { readonly client: object }, R>(
  verdict: (item: T) => R | undefined | Promise<R | undefined>,
  refuse: (item: T, refusal: R) => void,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      /** The last item still waiting, per client: the next one waits behind it. */
      const tails = new WeakMap<object, Promise<void>>();
      let waiting = 0;
      let completed = false;
      const act = (item: T, refusal: R | undefined): void => {
        if (subscriber.closed) return;
        if (refusal === undefined) subscriber.next(item);
        else refuse(item, refusal);
      };
      return source.subscribe({
        next: (item) => {
          const tail = tails.get(item.client);
          const judged = verdict(item);
          if (tail === undefined && !(judged instanceof Promise)) {
            act(item, judged);
            return;
          }
          waiting += 1;
          // A verdict that cannot be had lets the item through: limits fail open, never lose a frame.
          const settled = Promise.all([tail, Promise.resolve(judged).catch(() => undefined)]).then(
            ([, refusal]) => act(item, refusal),
            (error: unknown) => subscriber.error(error),
          );
          const mine = settled.finally(() => {
            waiting -= 1;
            if (tails.get(item.client) === mine) tails.delete(item.client);
            if (completed && waiting === 0) subscriber.complete();
          });
          tails.set(item.client, mine);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          completed = true;
          if (waiting === 0) subscriber.complete();
        },
      });
    });
}
