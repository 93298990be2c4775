import { describe, expect, it } from 'vitest';
import { decodeSessionFrame } from '../../src/protocol/session-frame.js';

const token = '0123456789abcdef0123456789abcdef';

describe('decodeSessionFrame', () => {
  it('recognises the session frame and nothing else', () => {
    expect(decodeSessionFrame(JSON.stringify({ type: 'nexus/session', session: token, resumed: true, replayed: 2 }))).toEqual({
      type: 'nexus/session',
      session: token,
      resumed: true,
      replayed: 2,
    });
    expect(decodeSessionFrame(JSON.stringify({ type: 'nexus/session' }))).toBeUndefined();
    expect(decodeSessionFrame(JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} }))).toBeUndefined();
    expect(decodeSessionFrame('not json')).toBeUndefined();
  });
});
