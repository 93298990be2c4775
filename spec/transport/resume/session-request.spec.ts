import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carrySessionRequest, sessionRequestOf, withoutSessionRequest } from '../../../src/transport/resume/session-request.js';

const token = '0123456789abcdef0123456789abcdef';

/** The upgrade request a server would see for what the client put on the wire. */
function upgradeOf(carried: ReturnType<typeof carrySessionRequest>): { url: string; headers: Record<string, string> } {
  const url = new URL(carried.url);
  const headers: Record<string, string> = { host: url.host, ...carried.headers };
  if (carried.protocols) headers['sec-websocket-protocol'] = carried.protocols.join(', ');
  return { url: url.pathname + url.search, headers };
}

const tokens = fc.stringMatching(/^[0-9a-f]{32}$/);
const counts = fc.nat({ max: Number.MAX_SAFE_INTEGER }).filter((n) => String(n).length <= 15);
const protocolLists = fc.array(fc.constantFrom('mcp', 'graphql-ws', 'bearer.abc'), { maxLength: 3 });

describe('the session request, as carried and as read back', () => {
  it('round-trips a resume through the header, a subprotocol entry or the query string, whichever the client can use', () => {
    fc.assert(
      fc.property(tokens, counts, protocolLists, fc.boolean(), (t, received, protocols, canSetHeaders) => {
        const carried = carrySessionRequest('ws://h:1/mcp?room=2', protocols, canSetHeaders, t, received);
        expect(sessionRequestOf(upgradeOf(carried))).toEqual({ kind: 'resume', token: t, received });
        // The token is in the URL only when there is no other way.
        expect(carried.url.includes(t)).toBe(!canSetHeaders && protocols.length === 0);
        // The client's own subprotocols are still offered, first.
        expect(carried.protocols?.slice(0, protocols.length) ?? []).toEqual(protocols);
      }),
    );
  });

  it('asks for a new session through the same carriers', () => {
    for (const [protocols, canSetHeaders] of [[[], true], [['mcp'], false], [[], false]] as const) {
      expect(sessionRequestOf(upgradeOf(carrySessionRequest('ws://h:1/', protocols, canSetHeaders, undefined, 0)))).toEqual({ kind: 'new' });
    }
  });

  it('treats a malformed value as a request for a new session, and no value as none', () => {
    expect(sessionRequestOf({ url: '/?nexus_session=nonsense', headers: {} })).toEqual({ kind: 'new' });
    expect(sessionRequestOf({ url: '/?nexus_session=zz:1', headers: {} })).toEqual({ kind: 'new' });
    expect(sessionRequestOf({ url: '/', headers: { 'nexus-session': `${token}:-1` } })).toEqual({ kind: 'new' });
    expect(sessionRequestOf({ url: '/', headers: { 'sec-websocket-protocol': 'mcp, nexus-session.oops' } })).toEqual({ kind: 'new' });
    expect(sessionRequestOf({ url: '/?room=1', headers: { 'sec-websocket-protocol': 'mcp' } })).toEqual({ kind: 'none' });
    expect(sessionRequestOf({ headers: {} })).toEqual({ kind: 'none' });
  });

  it('reads the header first, then the subprotocol entry, then the query string', () => {
    const request = {
      url: `/?nexus_session=${token}:3`,
      headers: { 'nexus-session': 'new', 'sec-websocket-protocol': `mcp, nexus-session.${token}.2` },
    };
    expect(sessionRequestOf(request)).toEqual({ kind: 'new' });
    expect(sessionRequestOf({ ...request, headers: { 'sec-websocket-protocol': request.headers['sec-websocket-protocol'] } })).toEqual({
      kind: 'resume',
      token,
      received: 2,
    });
  });
});

describe('withoutSessionRequest', () => {
  it('removes the token wherever it travelled and keeps everything else', () => {
    expect(
      withoutSessionRequest({
        url: `/mcp?room=2&nexus_session=${token}:3`,
        headers: { host: 'h', 'nexus-session': `${token}:3`, 'sec-websocket-protocol': `mcp, nexus-session.${token}.3, bearer.x` },
      }),
    ).toEqual({ url: '/mcp?room=2', headers: { host: 'h', 'sec-websocket-protocol': 'mcp, bearer.x' } });
    expect(withoutSessionRequest({ url: '/mcp?nexus_session=new', headers: { 'sec-websocket-protocol': 'nexus-session.new' } })).toEqual({
      url: '/mcp',
      headers: {},
    });
    const untouched = { url: '/mcp?room=2', headers: { host: 'h' } };
    expect(withoutSessionRequest(untouched)).toEqual(untouched);
  });

  it('never leaves a token behind, for any request a client could send', () => {
    fc.assert(
      fc.property(tokens, counts, protocolLists, fc.boolean(), (t, received, protocols, canSetHeaders) => {
        const seen = withoutSessionRequest(upgradeOf(carrySessionRequest('ws://h:1/mcp?room=2', protocols, canSetHeaders, t, received)));
        expect(JSON.stringify(seen)).not.toContain(t);
        expect(seen.url).toBe('/mcp?room=2');
      }),
    );
  });
});
