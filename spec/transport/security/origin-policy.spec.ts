import { describe, expect, it } from 'vitest';
import {
  compileHostAllowList,
  compileOriginAllowList,
  localHostHeader,
  sameHostOrLocalOrigin,
} from '../../../src/transport/security/origin-policy.js';

describe('origin allow-list', () => {
  it('matches exact origins, ignoring case and a written default port', () => {
    const allowed = compileOriginAllowList(['https://app.example.com', 'http://tools.example.com:8080']);
    expect(allowed('https://app.example.com')).toBe(true);
    expect(allowed('HTTPS://APP.EXAMPLE.COM')).toBe(true);
    expect(allowed('https://app.example.com:443')).toBe(true);
    expect(allowed('http://tools.example.com:8080')).toBe(true);
    expect(allowed('http://app.example.com')).toBe(false); // scheme differs
    expect(allowed('https://app.example.com:8443')).toBe(false); // port differs
    expect(allowed('http://tools.example.com')).toBe(false);
    expect(allowed('https://app.example.com.evil.net')).toBe(false);
  });

  it('matches subdomains at any depth for a wildcard, but not the bare domain or look-alikes', () => {
    const allowed = compileOriginAllowList(['https://*.example.com']);
    expect(allowed('https://app.example.com')).toBe(true);
    expect(allowed('https://a.b.example.com')).toBe(true);
    expect(allowed('https://example.com')).toBe(false);
    expect(allowed('https://evilexample.com')).toBe(false);
    expect(allowed('http://app.example.com')).toBe(false);
    expect(allowed('https://app.example.com:8443')).toBe(false);
  });

  it('matches any port for `:*`', () => {
    const allowed = compileOriginAllowList(['http://localhost:*']);
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://localhost')).toBe(true);
    expect(allowed('https://localhost:5173')).toBe(false);
  });

  it('allows the opaque origin "null" only when listed, and everything for "*"', () => {
    expect(compileOriginAllowList(['https://app.example.com'])('null')).toBe(false);
    expect(compileOriginAllowList(['null'])('null')).toBe(true);
    expect(compileOriginAllowList(['*'])('https://anything.example')).toBe(true);
  });

  it('refuses values that are not origins', () => {
    const allowed = compileOriginAllowList(['https://app.example.com']);
    expect(allowed('')).toBe(false);
    expect(allowed('app.example.com')).toBe(false);
    expect(allowed('javascript:alert(1)')).toBe(false);
  });

  it('rejects a malformed entry at configuration time', () => {
    expect(() => compileOriginAllowList(['app.example.com'])).toThrow(RangeError);
    expect(() => compileOriginAllowList(['https://app.example.com/path'])).toThrow(RangeError);
  });
});

describe('default origin rule: same host or local', () => {
  it('allows an origin whose host equals the Host header', () => {
    expect(sameHostOrLocalOrigin('https://mcp.example.com', 'mcp.example.com')).toBe(true);
    expect(sameHostOrLocalOrigin('https://mcp.example.com', 'mcp.example.com:443')).toBe(true);
    expect(sameHostOrLocalOrigin('http://mcp.example.com:3001', 'MCP.example.com:3001')).toBe(true);
    expect(sameHostOrLocalOrigin('http://mcp.example.com:3001', 'mcp.example.com:3002')).toBe(false);
  });

  it('allows local origins on any port', () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'http://app.localhost']) {
      expect(sameHostOrLocalOrigin(origin, 'mcp.example.com')).toBe(true);
    }
  });

  it('refuses a foreign origin, a missing Host and "null"', () => {
    expect(sameHostOrLocalOrigin('https://evil.example', 'mcp.example.com')).toBe(false);
    expect(sameHostOrLocalOrigin('https://evil.example', undefined)).toBe(false);
    expect(sameHostOrLocalOrigin('null', 'mcp.example.com')).toBe(false);
  });
});

describe('host allow-list', () => {
  it('matches names on any port, names with a port, and wildcard subdomains', () => {
    const allowed = compileHostAllowList(['mcp.example.com', 'api.example.com:8443', '*.internal.example']);
    expect(allowed('mcp.example.com')).toBe(true);
    expect(allowed('mcp.example.com:3001')).toBe(true);
    expect(allowed('api.example.com:8443')).toBe(true);
    expect(allowed('api.example.com')).toBe(false);
    expect(allowed('a.internal.example:80')).toBe(true);
    expect(allowed('internal.example')).toBe(false);
    expect(allowed('evil.example')).toBe(false);
    expect(allowed(undefined)).toBe(false);
  });

  it('accepts IPv6 literals and "*"', () => {
    expect(compileHostAllowList(['[::1]'])('[::1]:3001')).toBe(true);
    expect(compileHostAllowList(['*'])('anything:1')).toBe(true);
  });

  it('the loopback default accepts only local names', () => {
    expect(localHostHeader('localhost:3001')).toBe(true);
    expect(localHostHeader('127.0.0.1:3001')).toBe(true);
    expect(localHostHeader('[::1]:3001')).toBe(true);
    expect(localHostHeader('rebind.evil.example:3001')).toBe(false);
    expect(localHostHeader(undefined)).toBe(false);
  });
});
