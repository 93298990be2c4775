/**
 * OrderedDelivery: items reach the consumer in order, one microtask apart, so that work the
 * consumer defers by one microtask (as the SDK does with a notification's handler) runs before the
 * next item arrives.
 */
import { describe, expect, it } from 'vitest';
import { OrderedDelivery } from '../../../src/mcp/sdk/ordered-delivery.js';

/** Lets every queued microtask (and those they queue) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OrderedDelivery', () => {
  it('work deferred by one microtask during a delivery runs before the next item is delivered', async () => {
    const log: string[] = [];
    const delivery = new OrderedDelivery<string>((item) => {
      log.push(`deliver ${item}`);
      // What the SDK does with a notification: handle it a microtask later.
      void Promise.resolve().then(() => log.push(`handle ${item}`));
    });
    delivery.push('progress');
    delivery.push('response');
    expect(log).toEqual([]); // nothing is delivered synchronously
    await settle();
    expect(log).toEqual(['deliver progress', 'handle progress', 'deliver response', 'handle response']);
  });

  it('end() delivers what is queued, then calls back once; later items are dropped', async () => {
    const log: string[] = [];
    const delivery = new OrderedDelivery<string>((item) => log.push(item));
    delivery.push('a');
    delivery.push('b');
    delivery.end(() => log.push('ended'));
    delivery.end(() => log.push('ended again'));
    delivery.push('c');
    await settle();
    expect(log).toEqual(['a', 'b', 'ended']);
  });

  it('end() with nothing queued calls back in a microtask', async () => {
    let ended = false;
    new OrderedDelivery<string>(() => undefined).end(() => (ended = true));
    expect(ended).toBe(false);
    await settle();
    expect(ended).toBe(true);
  });

  it('clear() drops what is queued and the end() callback with it', async () => {
    const log: string[] = [];
    const delivery = new OrderedDelivery<string>((item) => log.push(item));
    delivery.push('a');
    delivery.end(() => log.push('ended'));
    delivery.clear();
    delivery.push('b');
    await settle();
    expect(log).toEqual([]);
  });
});
