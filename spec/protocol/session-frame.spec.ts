import { describe, expect, it } from 'vitest';
import { decodeSessionFrame, withoutSessionRequest, withSessionRequest } from '../../src/protocol/session-frame.js';
import { sessionRequestOf } from '../../src/transport/session-resumption.js';

const token = '0123456789abcdef0123456789abcdef';

describe('session request on the upgrade URL', () => {
  it('asks for a new session, then resumes with the token and the count received', () => {
    const first = withSessionRequest('ws://h:1/mcp?room=2', undefined, 0);
    expect(sessionRequestOf(first.slice(first.indexOf('/mcp')))).toEqual({ kind: 'new' });
    const again = withSessionRequest('ws://h:1/mcp?room=2', token, 42);
    expect(sessionRequestOf(again.slice(again.indexOf('/mcp')))).toEqual({ kind: 'resume', token, received: 42 });
  });

  it('treats a malformed value as a request for a new session, and no value as none', () => {
    expect(sessionRequestOf('/?nexus_session=nonsense')).toEqual({ kind: 'new' });
    expect(sessionRequestOf('/?nexus_session=zz:1')).toEqual({ kind: 'new' });
    expect(sessionRequestOf('/?room=1')).toEqual({ kind: 'none' });
    expect(sessionRequestOf(undefined)).toEqual({ kind: 'none' });
  });

  it('is removed from the URL applications see, leaving the rest', () => {
    expect(withoutSessionRequest(`/mcp?room=2&nexus_session=${token}:3`)).toBe('/mcp?room=2');
    expect(withoutSessionRequest('/mcp?nexus_session=new')).toBe('/mcp');
    expect(withoutSessionRequest('/mcp?room=2')).toBe('/mcp?room=2');
  });
});

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
