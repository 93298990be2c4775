import { describe, expect, it } from 'vitest';
import { classifyCloseCode, CloseCode, type CloseDisposition } from '../../src/transport/index.js';

describe('classifyCloseCode', () => {
  const table: readonly (readonly [number, CloseDisposition, string])[] = [
    [1000, 'fatal', 'normal closure: the peer meant it (stop(), closeClient)'],
    [1001, 'retry', 'going away: server shutting down, another may take over'],
    [1002, 'fatal', 'protocol error'],
    [1003, 'fatal', 'unsupported data (binary frames refused)'],
    [1005, 'retry', 'no status received'],
    [1006, 'retry', 'abnormal: the connection dropped'],
    [1007, 'fatal', 'invalid payload'],
    [1008, 'fatal', 'policy violation'],
    [1009, 'fatal', 'message too big: resending would fail again'],
    [1010, 'retry', 'mandatory extension (unknown to the table: retry)'],
    [1011, 'retry', 'internal error'],
    [1012, 'retry', 'service restart'],
    [1013, 'retry', 'try again later'],
    [1014, 'retry', 'bad gateway'],
    [1015, 'retry', 'TLS handshake'],
    [3000, 'fatal', 'registered range'],
    [3999, 'fatal', 'registered range, top'],
    [4000, 'retry', 'heartbeat timeout (ours)'],
    [4001, 'fatal', 'unauthorized (ours)'],
    [4003, 'fatal', 'forbidden (ours)'],
    [4500, 'fatal', 'private range'],
    [4999, 'fatal', 'private range, top'],
    [5000, 'retry', 'outside every range'],
  ];

  it.each(table)('%i → %s (%s)', (code, disposition) => {
    expect(classifyCloseCode(code)).toBe(disposition);
  });

  it('agrees with the named codes the transport sends', () => {
    expect(classifyCloseCode(CloseCode.Normal)).toBe('fatal');
    expect(classifyCloseCode(CloseCode.GoingAway)).toBe('retry');
    expect(classifyCloseCode(CloseCode.UnsupportedData)).toBe('fatal');
    expect(classifyCloseCode(CloseCode.MessageTooBig)).toBe('fatal');
    expect(classifyCloseCode(CloseCode.TryAgainLater)).toBe('retry');
    expect(classifyCloseCode(CloseCode.HeartbeatTimeout)).toBe('retry');
    expect(classifyCloseCode(CloseCode.Unauthorized)).toBe('fatal');
    expect(classifyCloseCode(CloseCode.Forbidden)).toBe('fatal');
  });
});
