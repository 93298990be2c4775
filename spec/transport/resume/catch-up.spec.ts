import { describe, expect, it } from 'vitest';
import { deliveredAfterMark, selectMissed } from '../../../src/transport/resume/catch-up.js';
import type { BusEnvelope } from '../../../src/transport/index.js';

const at = (n: number): string => `1000-${n}`;
const broadcast = (from: string, n: number): BusEnvelope => ({ from, topic: 'broadcast', data: `${from}${n}`, position: at(n) });
const parties = { previousNode: 'a', releaseNonce: 'r', takerNode: 'b', markNonce: 'm' };
const start = { missed: [], markedAt: undefined, released: false };

describe('selectMissed', () => {
  it("keeps every broadcast up to the taker's mark except the previous node's own, which its log holds", () => {
    const page = [broadcast('a', 1), broadcast('c', 2), broadcast('b', 3), { from: 'b', topic: 'resume:mark', data: '{"nonce":"m"}', position: at(4) }, broadcast('c', 5)];
    const result = selectMissed(page, { ...parties, releaseNonce: undefined }, start);
    expect(result.missed.map((e) => e.data)).toEqual(['c2', 'b3']);
    expect(result.markedAt).toBe(at(4));
  });

  it("keeps the previous node's broadcasts published after it let the session go", () => {
    const page = [broadcast('a', 1), { from: 'a', topic: 'resume:released', data: '{"nonce":"r"}', position: at(2) }, broadcast('a', 3)];
    const result = selectMissed(page, parties, start);
    expect(result.missed.map((e) => e.data)).toEqual(['a3']);
    expect(result.markedAt).toBeUndefined();
  });

  it('ignores marks and releases of other resumes, and goes on across pages', () => {
    const first = selectMissed([{ from: 'b', topic: 'resume:mark', data: '{"nonce":"other"}', position: at(1) }, broadcast('c', 2)], parties, start);
    const second = selectMissed([broadcast('c', 3), { from: 'b', topic: 'resume:mark', data: '{"nonce":"m"}', position: at(4) }], parties, first);
    expect(second.missed.map((e) => e.data)).toEqual(['c2', 'c3']);
    expect(second.markedAt).toBe(at(4));
  });
});

describe('deliveredAfterMark', () => {
  it("keeps the taker's own broadcasts and others' that come after the mark", () => {
    const delivered = [
      { text: 'c1', position: at(1) },
      { text: 'own', position: undefined },
      { text: 'c5', position: at(5) },
    ];
    expect(deliveredAfterMark(delivered, at(3)).map((d) => d.text)).toEqual(['own', 'c5']);
  });
});
