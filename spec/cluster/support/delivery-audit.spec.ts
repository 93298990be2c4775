/** The fault suite's judge: a gap is fine only when someone was told of it. */
import { describe, expect, it } from 'vitest';
import { audit, lossWindows } from './delivery-audit.js';
import type { NodeEvent } from './node-protocol.js';

const sentAt = new Map([1, 2, 3, 4, 5].map((seq) => [seq, seq * 1000] as const));
const status = (kind: string, at: number, extra: { missed?: boolean; since?: number } = {}): NodeEvent => ({ event: 'status', kind, at, ...extra });
const publishFailed = (at: number): NodeEvent => ({ event: 'error', code: 'cluster', message: 'Could not publish a broadcast on the cluster bus: down', at });

describe('the delivery audit', () => {
  it('finds windows from a missed resubscribe and from an outage that never ended', () => {
    const events = [status('connected', 0), status('disconnected', 2000), status('resubscribed', 3500, { missed: true, since: 2100 }), status('disconnected', 9000)];
    expect(lossWindows(events, 100)).toEqual([
      { from: 1900, to: 3600 },
      { from: 8900, to: Number.POSITIVE_INFINITY },
    ]);
    // A resubscribe that says nothing was missed excuses nothing.
    expect(lossWindows([status('disconnected', 2000), status('resubscribed', 3000, { missed: false, since: 2000 })], 100)).toEqual([]);
  });

  it('accepts gaps inside a reported window or told to the client, and flags silent ones, duplicates and disorder', () => {
    const events = new Map<string, NodeEvent[]>([
      ['a', []],
      ['b', [status('disconnected', 2000), status('resubscribed', 3200, { missed: true, since: 2000 })]],
      ['c', [status('disconnected', 2000), status('resubscribed', 3200, { missed: false, since: 2000 })]],
    ]);
    const result = audit({
      sentAt,
      publisher: 'a',
      events,
      marginMs: 0,
      clients: [
        { clientId: 'on-a', nodeId: 'a', received: [1, 2, 3, 4, 5], expiredAt: [] },
        { clientId: 'reported', nodeId: 'b', received: [1, 4, 5], expiredAt: [] },
        { clientId: 'silent', nodeId: 'c', received: [1, 4, 5], expiredAt: [] },
        { clientId: 'told', nodeId: 'c', received: [4, 5], expiredAt: [3500] },
        { clientId: 'twice', nodeId: 'b', received: [1, 2, 2, 3, 4, 5], expiredAt: [] },
        { clientId: 'disorder', nodeId: 'b', received: [1, 3, 2, 4, 5], expiredAt: [] },
      ],
    });
    expect(result.silentlyLost.map((client) => client.clientId)).toEqual(['silent']);
    expect(result.duplicated.map((client) => client.clientId)).toEqual(['twice']);
    expect(result.disordered.map((client) => client.clientId)).toEqual(['disorder']);
  });

  it('lets each failed publish account for one message on the other nodes, never on the publisher', () => {
    const events = new Map<string, NodeEvent[]>([
      ['a', [publishFailed(3000)]],
      ['b', []],
    ]);
    const clients = [
      { clientId: 'one-gap', nodeId: 'b', received: [1, 2, 4, 5], expiredAt: [] },
      { clientId: 'two-gaps', nodeId: 'b', received: [1, 4, 5], expiredAt: [] },
      { clientId: 'on-a', nodeId: 'a', received: [1, 2, 4, 5], expiredAt: [] },
    ];
    const result = audit({ sentAt, publisher: 'a', events, clients });
    expect(result.publishFailures).toBe(1);
    expect(result.silentlyLost.map((client) => client.clientId)).toEqual(['two-gaps', 'on-a']);
  });
});
