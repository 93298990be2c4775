/** The small pure pieces: plain-words validation errors, cursor paging, URI templates, version negotiation. */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { jsonRpcErrorReply, McpError } from '../../../src/mcp/index.js';
import { describeErrors } from '../../../src/mcp/registries/describe-errors.js';
import { parseUriTemplate } from '../../../src/mcp/registries/uri-template.js';
import { negotiateLegacyVersion, requestEra } from '../../../src/mcp/server/methods/negotiation.js';
import { paginate } from '../../../src/mcp/registries/paging.js';

const errorsOf = (codec: t.Any, value: unknown): t.Errors => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) throw new Error('expected a failure');
  return decoded.left;
};

describe('describeErrors', () => {
  it('names nested paths, array indexes and odd keys in plain words', () => {
    const codec = t.type({ items: t.array(t.type({ price: t.number })), 'odd key': t.boolean });
    expect(describeErrors(errorsOf(codec, { items: [{ price: 1 }, { price: '2' }], 'odd key': 'yes' }), 'arguments')).toBe(
      'arguments.items[1].price: expected a number, got "2"; arguments["odd key"]: expected true or false, got "yes"',
    );
  });

  it('merges the members of a union failing at one path, and reports missing fields', () => {
    expect(describeErrors(errorsOf(t.type({ mode: t.keyof({ a: null, b: null }) }), {}), 'p')).toBe('p.mode: is required (expected one of "a", "b")');
    expect(describeErrors(errorsOf(t.union([t.string, t.number]), null))).toBe('value: expected a string or a number, got null');
  });

  it('caps long reports', () => {
    const codec = t.type({ a: t.string, b: t.string, c: t.string, d: t.string, e: t.string, f: t.string });
    expect(describeErrors(errorsOf(codec, {}))).toMatch(/\(and 2 more\)$/);
  });

  it("shows the peer's keys and string values quoted and cut to 128 characters, however long", () => {
    const long = 'k'.repeat(100_000);
    const codec = t.type({ scores: t.record(t.string, t.number), name: t.number });
    expect(describeErrors(errorsOf(codec, { scores: { [long]: 'x', ['1'.repeat(100_000)]: 'y' }, name: `${'v'.repeat(100_000)}\n` }), 'arguments')).toBe(
      `arguments.scores["${'k'.repeat(128)}…"]: expected a number, got "x"; ` +
        `arguments.scores["${'1'.repeat(128)}…"]: expected a number, got "y"; ` +
        `arguments.name: expected a number, got "${'v'.repeat(128)}…"`,
    );
    expect(describeErrors(errorsOf(t.type({ mode: t.number }), { mode: 'a\u202Eb' }))).toBe('value.mode: expected a number, got "a\\u202eb"');
  });

  it('shows the ends of a path through deeply nested input, and counts the middle', () => {
    interface Node { next?: Node; leaf?: number }
    const node: t.Type<Node> = t.recursion('Node', () => t.partial({ next: node, leaf: t.number }));
    let input: Record<string, unknown> = { leaf: 'bad' };
    for (let depth = 0; depth < 1000; depth += 1) input = { next: input };
    expect(describeErrors(errorsOf(node, input))).toBe(`value${'.next'.repeat(8)}…(985 more)…${'.next'.repeat(7)}.leaf: expected a number, got "bad"`);
  });
});

describe('paginate', () => {
  const items = ['d', 'b', 'a', 'c', 'e'];
  it('pages in sorted order with opaque cursors until the end', () => {
    const first = paginate(items, (x) => x, undefined, 2);
    expect(first.items).toEqual(['a', 'b']);
    const second = paginate(items, (x) => x, first.nextCursor, 2);
    expect(second.items).toEqual(['c', 'd']);
    const third = paginate(items, (x) => x, second.nextCursor, 2);
    expect(third).toEqual({ items: ['e'] });
    expect(paginate(items, (x) => x, undefined, 10)).toEqual({ items: ['a', 'b', 'c', 'd', 'e'] });
  });

  it('refuses cursors it did not issue', () => {
    for (const cursor of ['', 'not base64!', Buffer.from('x:abc').toString('base64url')]) {
      expect(() => paginate(items, (x) => x, cursor, 2)).toThrow(McpError);
    }
  });
});

describe('parseUriTemplate', () => {
  it('matches {var} within a segment and {+var} across them, decoding values', () => {
    const template = parseUriTemplate('users://{id}/files/{+path}');
    expect(template.variables).toEqual(['id', 'path']);
    expect(template.match('users://a%20b/files/x/y.txt')).toEqual({ id: 'a b', path: 'x/y.txt' });
    expect(template.match('users://a/b/files/x')).toBeUndefined();
    expect(parseUriTemplate('weird.+(x)://{q}').match('weird.+(x)://1')).toEqual({ q: '1' });
    expect(parseUriTemplate('static://x').match('static://x')).toEqual({});
  });
});

describe('negotiation', () => {
  it('echoes a legacy version it speaks, else offers its latest', () => {
    expect(negotiateLegacyVersion('2024-11-05')).toBe('2024-11-05');
    expect(negotiateLegacyVersion('2026-07-28')).toBe('2025-11-25');
    expect(negotiateLegacyVersion('garbage')).toBe('2025-11-25');
  });

  it('reads the era of a request from its _meta', () => {
    expect(requestEra(undefined)).toEqual(E.right({ kind: 'legacy' }));
    expect(requestEra({ _meta: { progressToken: 1 } })).toEqual(E.right({ kind: 'legacy' }));
    expect(requestEra({ _meta: { 'io.modelcontextprotocol/protocolVersion': '2025-06-18' } })).toEqual(E.right({ kind: 'legacy' }));
    expect(
      requestEra({ _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { roots: {} } } }),
    ).toEqual(E.right({ kind: 'modern', protocolVersion: '2026-07-28', clientCapabilities: { roots: {} }, clientInfo: undefined, logLevel: undefined }));
    const unsupported = requestEra({ _meta: { 'io.modelcontextprotocol/protocolVersion': '2030-01-01' } });
    expect(E.isLeft(unsupported) && unsupported.left.code).toBe(-32022);
    const huge = requestEra({ _meta: { 'io.modelcontextprotocol/protocolVersion': '9'.repeat(100_000) } });
    expect(E.isLeft(huge) && huge.left.toJsonRpc()).toEqual({
      code: -32022,
      message: 'Unsupported protocol version',
      data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: `${'9'.repeat(128)}…` },
    });
    const notString = requestEra({ _meta: { 'io.modelcontextprotocol/protocolVersion': 7 } });
    expect(E.isLeft(notString) && notString.left.code).toBe(-32602);
  });
});

describe('jsonRpcErrorReply', () => {
  const request = { jsonrpc: '2.0', id: 7, method: 'tools/call' };
  // MCP's schemas never allow `id: null`: a reply to a frame whose id could not be read has none.
  it.each([
    ['invalid_json', undefined, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: bad' } }],
    ['not_an_object', undefined, { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request: bad' } }],
    ['binary_frame', undefined, undefined],
    ['handler_failed', request, { jsonrpc: '2.0', id: 7, error: { code: -32603, message: 'Internal error' } }],
    ['rate_limited', request, { jsonrpc: '2.0', id: 7, error: { code: -32010, message: 'bad', data: { reason: 'rate_limited' } } }],
    ['overloaded', request, { jsonrpc: '2.0', id: 7, error: { code: -32010, message: 'bad', data: { reason: 'overloaded' } } }],
    ['shutting_down', request, { jsonrpc: '2.0', id: 7, error: { code: -32010, message: 'bad', data: { reason: 'shutting_down' } } }],
    // A refused notification has no id to answer.
    ['shutting_down', { jsonrpc: '2.0', method: 'notifications/initialized' }, undefined],
  ] as const)('%s answers %j with %j', (kind, refused, expected) => {
    expect(jsonRpcErrorReply({ kind, message: 'bad', ...(refused ? { request: refused } : {}) })).toEqual(expected);
  });
});
