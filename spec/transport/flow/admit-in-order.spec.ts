/**
 * admitInOrder: verdicts that come later keep each client's items in order, without making other
 * clients wait; synchronous verdicts pass at once.
 */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { admitInOrder } from '../../../src/transport/flow/admit-in-order.js';

interface Item {
  readonly client: { readonly name: string };
  readonly n: number;
}

/** A verdict per item, resolved when the test says so. */
function deferred(): { promise: Promise<'no' | undefined>; resolve: (value: 'no' | undefined) => void } {
  let resolve: (value: 'no' | undefined) => void = () => undefined;
  const promise = new Promise<'no' | undefined>((r) => (resolve = r));
  return { promise, resolve };
}

describe('admitInOrder', () => {
  it('passes items with a synchronous verdict at once, and refuses what the verdict refuses', () => {
    const source = new Subject<Item>();
    const passed: number[] = [];
    const refused: number[] = [];
    const client = { name: 'a' };
    source.pipe(admitInOrder((item: Item) => (item.n % 2 === 0 ? 'no' : undefined), (item) => refused.push(item.n))).subscribe((item) => passed.push(item.n));
    for (let n = 1; n <= 4; n += 1) source.next({ client, n });
    expect(passed).toEqual([1, 3]);
    expect(refused).toEqual([2, 4]);
  });

  it('keeps one client’s items in order when a later verdict comes first, and lets other clients through meanwhile', async () => {
    const source = new Subject<Item>();
    const out: string[] = [];
    const verdicts = new Map<string, ReturnType<typeof deferred>>();
    const a = { name: 'a' };
    const b = { name: 'b' };
    source
      .pipe(
        admitInOrder(
          (item: Item) => {
            const verdict = deferred();
            verdicts.set(`${item.client.name}${item.n}`, verdict);
            return verdict.promise;
          },
          (item) => out.push(`refused ${item.client.name}${item.n}`),
        ),
      )
      .subscribe((item) => out.push(`${item.client.name}${item.n}`));
    source.next({ client: a, n: 1 });
    source.next({ client: a, n: 2 });
    source.next({ client: b, n: 1 });
    verdicts.get('a2')?.resolve('no');
    verdicts.get('b1')?.resolve(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual(['b1']);
    verdicts.get('a1')?.resolve(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual(['b1', 'a1', 'refused a2']);
  });

  it('completes only once every waiting verdict is in; a verdict that fails lets its item through', async () => {
    const source = new Subject<Item>();
    const out: number[] = [];
    let completed = false;
    const client = { name: 'a' };
    const verdict = deferred();
    source.pipe(admitInOrder((item: Item) => (item.n === 1 ? verdict.promise : Promise.reject(new Error('store down'))), () => undefined)).subscribe({
      next: (item) => out.push(item.n),
      complete: () => (completed = true),
    });
    source.next({ client, n: 1 });
    source.next({ client, n: 2 });
    source.complete();
    expect(completed).toBe(false);
    verdict.resolve(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual([1, 2]);
    expect(completed).toBe(true);
  });
});
