import { describe, expect, it } from 'vitest';
import { perMessageDeflateOptions } from '../../../src/transport/edges/compression.js';
import { resolveServerOptions } from '../../../src/transport/server/server-options.js';
import { resolveSlowConsumer } from '../../../src/transport/flow/slow-consumer.js';

describe('hardening defaults', () => {
  it('are the documented ones', () => {
    const options = resolveServerOptions({});
    expect(options.maxClients).toBe(10_000);
    expect(options.maxInFlight).toBe(64);
    expect(options.messageRate).toEqual({ rate: 1000, burst: 2000, maxRefusals: 100, abuseWindowMs: 10_000 });
    expect(options.connectionRate).toBeUndefined();
    expect(options.slowConsumer).toEqual({
      highWatermark: 8 * 1024 * 1024,
      lowWatermark: 4 * 1024 * 1024,
      policy: 'disconnect',
      maxHeldBytes: 8 * 1024 * 1024,
      closeGraceMs: 1000,
    });
    expect(options.perMessageDeflate).toBe(false);
    expect(options.allowedOrigins).toBeUndefined();
    expect(options.authenticate).toBeUndefined();
    expect(options.authTimeoutMs).toBe(10_000);
    expect(options.handshakeTimeoutMs).toBe(10_000);
    expect(options.maxPendingHandshakesPerAddress).toBe(1024);
  });

  it('check Host against local names only when the transport itself listens on loopback', () => {
    expect(resolveServerOptions({ host: '127.0.0.1' }).allowedHosts).toBe('local');
    expect(resolveServerOptions({ host: 'localhost' }).allowedHosts).toBe('local');
    expect(resolveServerOptions({ host: '::1' }).allowedHosts).toBe('local');
    expect(resolveServerOptions({}).allowedHosts).toBeUndefined(); // 0.0.0.0
    expect(resolveServerOptions({ host: '127.0.0.1', allowedHosts: ['*'] }).allowedHosts).toEqual(['*']);
  });

  it('can each be switched off', () => {
    const options = resolveServerOptions({ messageRate: false, maxInFlight: false, slowConsumer: false, maxPendingHandshakesPerAddress: false });
    expect(options.maxPendingHandshakesPerAddress).toBeUndefined();
    expect(options.messageRate).toBeUndefined();
    expect(options.maxInFlight).toBeUndefined();
    expect(options.slowConsumer).toBeUndefined();
  });

  it('reject nonsense at construction', () => {
    expect(() => resolveServerOptions({ maxClients: 0 })).toThrow(RangeError);
    expect(() => resolveServerOptions({ maxInFlight: 0 })).toThrow(RangeError);
    expect(() => resolveServerOptions({ authTimeoutMs: 0 })).toThrow(/authTimeoutMs must be a positive number/);
    expect(() => resolveServerOptions({ handshakeTimeoutMs: -1 })).toThrow(/handshakeTimeoutMs must be a positive number/);
    expect(() => resolveServerOptions({ handshakeTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveServerOptions({ maxPendingHandshakesPerAddress: 0 })).toThrow(/maxPendingHandshakesPerAddress must be a positive number/);
    expect(() => resolveServerOptions({ connectionRate: { rate: -1, burst: 1 } })).toThrow(RangeError);
    expect(() => resolveSlowConsumer({ highWatermark: 100, lowWatermark: 200 })).toThrow(RangeError);
    expect(() => perMessageDeflateOptions({ level: 12 })).toThrow(RangeError);
    expect(() => perMessageDeflateOptions({ memLevel: 0 })).toThrow(RangeError);
  });
});

describe('perMessageDeflateOptions', () => {
  it('is off unless asked for', () => {
    expect(perMessageDeflateOptions(undefined)).toBe(false);
    expect(perMessageDeflateOptions(false)).toBe(false);
  });

  it('compresses each message on its own by default, with a cheap level', () => {
    expect(perMessageDeflateOptions(true)).toEqual({
      threshold: 1024,
      concurrencyLimit: 10,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      zlibDeflateOptions: { level: 3, memLevel: 8 },
    });
  });

  it('with context takeover, leaves the choice to the peer instead of refusing its offer', () => {
    const options = perMessageDeflateOptions({ contextTakeover: true, level: 6 });
    expect(options).not.toHaveProperty('serverNoContextTakeover');
    expect(options).not.toHaveProperty('clientNoContextTakeover');
    expect(options).toMatchObject({ zlibDeflateOptions: { level: 6 } });
  });
});
