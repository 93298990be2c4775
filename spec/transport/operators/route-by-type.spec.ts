import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { routeByType } from '../../../src/transport/index.js';

const client = { id: 'client-1' };
type Client = typeof client;

describe('routeByType', () => {
  const handlers = {
    custom_command: (message: JsonObject) => ({ type: 'custom_response', echoed: message['data'] }),
    status: (_message: JsonObject, c: Client) => ({ type: 'status_response', client: c.id }),
  };

  it('calls the handler registered for the message type, with the message and the client', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 'custom_command', data: 7 }, client)).toEqual({ type: 'custom_response', echoed: 7 });
    expect(route({ type: 'status' }, client)).toEqual({ type: 'status_response', client: 'client-1' });
  });

  it("sends other types, and untyped messages, to '*'", () => {
    const route = routeByType<Client>({ ...handlers, '*': (message) => ({ type: 'fallback', original: message }) });
    expect(route({ type: 'something_else' }, client)).toEqual({ type: 'fallback', original: { type: 'something_else' } });
    expect(route({ data: 1 }, client)).toEqual({ type: 'fallback', original: { data: 1 } });
  });

  it('answers an unknown type with an error reply that names it, when there is no fallback', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 'custom_comand' }, client)).toEqual({
      type: 'error',
      error: 'Unknown message type: "custom_comand"',
      code: 'unknown_type',
    });
    expect(route({ data: 1 }, client)).toEqual({ type: 'error', error: 'Unknown message type: none', code: 'unknown_type' });
  });

  it('names an unknown type quoted and cut to 128 characters, control characters escaped', () => {
    const route = routeByType<Client>(handlers);
    expect(route({ type: 't'.repeat(100_000) }, client)).toMatchObject({ error: `Unknown message type: "${'t'.repeat(128)}…"` });
    expect(route({ type: 'two\nlines\u202E' }, client)).toMatchObject({ error: 'Unknown message type: "two\\nlines\\u202e"' });
  });

  it('does not mistake inherited object keys for handlers', () => {
    const route = routeByType<Client>(handlers);
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(route({ type }, client)).toMatchObject({ type: 'error', code: 'unknown_type' });
    }
  });
});
