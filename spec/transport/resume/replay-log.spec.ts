import { describe, expect, it } from 'vitest';
import { InMemoryReplayStore, type ReplayEntry } from '../../../src/transport/resume/replay-log.js';

const entry = (seq: number, at = 0, data = `m${seq}`): ReplayEntry => ({ seq, data, bytes: data.length, at });

function storeWith(count: number, limits = { maxMessages: 100, maxBytes: 1_000_000, maxAgeMs: 1_000_000 }): InMemoryReplayStore {
  const store = new InMemoryReplayStore(limits);
  for (let seq = 1; seq <= count; seq++) store.append('s', entry(seq, seq));
  return store;
}

describe('InMemoryReplayStore', () => {
  it('returns the frames after the ones the client has, in order', () => {
    const store = storeWith(5);
    expect(store.since('s', 2, 5)?.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(store.since('s', 5, 5)).toEqual([]);
    expect(store.since('s', 0, 5)?.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps at most maxMessages and reports a gap past them', () => {
    const store = storeWith(10, { maxMessages: 3, maxBytes: 1_000_000, maxAgeMs: 1_000_000 });
    expect(store.since('s', 7, 10)?.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(store.since('s', 6, 10)).toBeUndefined();
  });

  it('keeps at most maxBytes', () => {
    const store = storeWith(10, { maxMessages: 100, maxBytes: 6, maxAgeMs: 1_000_000 }); // 'm1'…'m9' are 2 bytes, 'm10' is 3
    expect(store.since('s', 8, 10)?.map((e) => e.seq)).toEqual([9, 10]);
    expect(store.since('s', 7, 10)).toBeUndefined();
  });

  it('drops frames older than maxAgeMs when read', () => {
    const store = storeWith(5, { maxMessages: 100, maxBytes: 1_000_000, maxAgeMs: 10 });
    expect(store.since('s', 0, 12)).toBeUndefined(); // frames 1 and 2 are older than 10 ms at t=12
    expect(store.since('s', 2, 12)?.map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('answers an unknown session with nothing to replay only when nothing was received', () => {
    const store = storeWith(0);
    expect(store.since('other', 0, 0)).toEqual([]);
    expect(store.since('other', 3, 0)).toBeUndefined();
  });

  it('forgets a deleted session', () => {
    const store = storeWith(3);
    expect(store.size).toBe(1);
    store.delete('s');
    expect(store.size).toBe(0);
  });
});
