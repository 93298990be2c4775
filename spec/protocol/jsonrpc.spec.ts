/** JSON-RPC 2.0 envelopes: classification of what arrives, and the shapes of what we send. */
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  CallToolResultCodec,
  classifyMessage,
  InitializeResultCodec,
  jsonRpcError,
  jsonRpcNotification,
  jsonRpcRequest,
  jsonRpcResult,
  ModernRequestMetaCodec,
  RequestIdCodec,
  type JsonObject,
} from '../../src/protocol/index.js';

const kindOf = (input: JsonObject): string => {
  const classified = classifyMessage(input);
  return E.isRight(classified) ? classified.right.kind : `invalid(${classified.left.id === undefined ? 'no id' : String(classified.left.id)})`;
};

describe('classifyMessage', () => {
  it('sorts requests, notifications and responses', () => {
    expect(kindOf({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe('request');
    expect(kindOf({ jsonrpc: '2.0', id: 'a', method: 'ping', params: {} })).toBe('request');
    expect(kindOf({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe('notification');
    expect(kindOf({ jsonrpc: '2.0', id: 1, result: {} })).toBe('response');
    expect(kindOf({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'm' } })).toBe('response');
    expect(kindOf({ jsonrpc: '2.0', error: { code: -32700, message: 'parse' } })).toBe('response');
  });

  it('refuses malformed envelopes, keeping the id only when it is a valid one', () => {
    expect(kindOf({ jsonrpc: '1.0', id: 3, method: 'ping' })).toBe('invalid(3)');
    expect(kindOf({ jsonrpc: '2.0', id: null, method: 'ping' })).toBe('invalid(no id)');
    expect(kindOf({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toBe('invalid(no id)');
    expect(kindOf({ jsonrpc: '2.0', id: 'x', method: 'ping', params: [] })).toBe('invalid(x)');
    expect(kindOf({ jsonrpc: '2.0', id: 'x', method: 'ping', result: {} })).toBe('invalid(x)');
    expect(kindOf({ jsonrpc: '2.0', result: {} })).toBe('invalid(no id)');
    expect(kindOf({ jsonrpc: '2.0', id: 2, result: 'text' })).toBe('invalid(2)');
    expect(kindOf({ jsonrpc: '2.0', id: 2, error: { code: 'x', message: 'm' } })).toBe('invalid(2)');
    expect(kindOf({ jsonrpc: '2.0', id: 2 })).toBe('invalid(2)');
  });

  it('never throws, whatever the object', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('jsonrpc', 'id', 'method', 'params', 'result', 'error', 'x'), fc.jsonValue()), (input) => {
      classifyMessage(input);
    }));
  });
});

describe('builders', () => {
  it('omit params and id rather than sending null', () => {
    expect(jsonRpcRequest(1, 'ping')).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(jsonRpcNotification('n')).toEqual({ jsonrpc: '2.0', method: 'n' });
    expect(jsonRpcResult('a', {})).toEqual({ jsonrpc: '2.0', id: 'a', result: {} });
    expect(jsonRpcError(undefined, -32700, 'Parse error')).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } });
    expect(jsonRpcError(4, -32602, 'bad', { path: 'x' })).toEqual({ jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'bad', data: { path: 'x' } } });
  });

  it('RequestIdCodec accepts strings and integers only', () => {
    expect([1, 0, -7, 'id', ''].every((id) => RequestIdCodec.is(id))).toBe(true);
    expect([null, 1.5, Number.NaN, true, {}, [], undefined].some((id) => RequestIdCodec.is(id))).toBe(false);
  });
});

describe('MCP codecs', () => {
  it('decode the results MCP defines and refuse malformed ones', () => {
    expect(E.isRight(InitializeResultCodec.decode({ protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } }))).toBe(true);
    expect(E.isLeft(InitializeResultCodec.decode({ protocolVersion: '2025-11-25', capabilities: {} }))).toBe(true);
    expect(E.isRight(CallToolResultCodec.decode({ content: [{ type: 'text', text: 'x' }], structuredContent: { a: 1 } }))).toBe(true);
    expect(E.isLeft(CallToolResultCodec.decode({ content: [{ type: 'text' }] }))).toBe(true);
    expect(E.isLeft(CallToolResultCodec.decode({ content: [{ type: 'video', url: 'x' }] }))).toBe(true);
  });

  it('require the 2026-07-28 per-request keys', () => {
    const version = 'io.modelcontextprotocol/protocolVersion';
    const capabilities = 'io.modelcontextprotocol/clientCapabilities';
    expect(E.isRight(ModernRequestMetaCodec.decode({ [version]: '2026-07-28', [capabilities]: {} }))).toBe(true);
    expect(E.isLeft(ModernRequestMetaCodec.decode({ [version]: '2026-07-28' }))).toBe(true);
    expect(E.isLeft(ModernRequestMetaCodec.decode({ [version]: '2026-07-28', [capabilities]: {}, 'io.modelcontextprotocol/logLevel': 'loud' }))).toBe(true);
  });
});
