import { Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { perMessageDeflateOptions } from '../../../src/transport/compression.js';
import { capPerClient, InFlightLimiter } from '../../../src/transport/in-flight-limit.js';
import { resolveServerOptions } from '../../../src/transport/server-options.js';
import { resolveSlowConsumer } from '../../../src/transport/slow-consumer.js';

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
    expect(options.maxPendingHandshakesPerAddress).toBe(64);
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

describe('InFlightLimiter', () => {
  const overloaded = (): JsonObject => ({ type: 'error', code: 'overloaded' });

  it('holds a slot for an Observable reply until it completes or is unsubscribed', () => {
    const limiter = new InFlightLimiter(1);
    const replies = new Subject<JsonObject>();
    const handler = limiter.wrap<null>(() => replies, overloaded);
    const first = handler({}, null) as Observable<JsonObject>;
    const subscription = first.subscribe();
    expect(limiter.inFlight).toBe(1);
    expect(handler({}, null)).toEqual({ type: 'error', code: 'overloaded' });
    subscription.unsubscribe();
    expect(limiter.inFlight).toBe(0);

    (handler({}, null) as Observable<JsonObject>).subscribe();
    replies.complete();
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot when the handler throws synchronously', () => {
    const limiter = new InFlightLimiter(1);
    const handler = limiter.wrap<null>(() => {
      throw new Error('boom');
    }, overloaded);
    expect(() => handler({}, null)).toThrow('boom');
    expect(limiter.inFlight).toBe(0);
  });

  it('counts a plain reply as finished at once', () => {
    const limiter = new InFlightLimiter(1);
    const handler = limiter.wrap<null>(() => ({ ok: true }), overloaded);
    expect(handler({}, null)).toEqual({ ok: true });
    expect(handler({}, null)).toEqual({ ok: true });
    expect(limiter.inFlight).toBe(0);
  });
});

describe('capPerClient', () => {
  const overloaded = (): JsonObject => ({ type: 'error', code: 'overloaded' });
  const newClient = (): { pendingCalls: number } => ({ pendingCalls: 0 });

  it('counts on each client separately and refuses only the client at its cap', async () => {
    const finishers: (() => void)[] = [];
    const handler = capPerClient<{ pendingCalls: number }>(
      () => new Promise<JsonObject>((resolve) => finishers.push(() => resolve({ done: true }))),
      1,
      overloaded,
    );
    const busy = newClient();
    const other = newClient();
    const first = handler({}, busy) as Promise<JsonObject>;
    expect(busy.pendingCalls).toBe(1);
    expect(handler({}, busy)).toEqual({ type: 'error', code: 'overloaded' });
    expect(handler({}, other)).toBeInstanceOf(Promise);
    expect(other.pendingCalls).toBe(1);
    finishers[0]?.();
    await expect(first).resolves.toEqual({ done: true });
    expect(busy.pendingCalls).toBe(0);
  });

  it('releases on a plain reply, a throw, a rejected promise and an unsubscribed Observable', async () => {
    const client = newClient();
    expect(capPerClient(() => ({ ok: true }), 1, overloaded)({}, client)).toEqual({ ok: true });
    expect(client.pendingCalls).toBe(0);
    const throwing = capPerClient(() => {
      throw new Error('boom');
    }, 1, overloaded);
    expect(() => throwing({}, client)).toThrow('boom');
    expect(client.pendingCalls).toBe(0);
    const rejecting = capPerClient(() => Promise.reject(new Error('no')), 1, overloaded);
    await expect(rejecting({}, client)).rejects.toThrow('no');
    expect(client.pendingCalls).toBe(0);
    const streaming = capPerClient(() => new Subject<JsonObject>(), 1, overloaded);
    const subscription = (streaming({}, client) as Observable<JsonObject>).subscribe();
    expect(client.pendingCalls).toBe(1);
    subscription.unsubscribe();
    expect(client.pendingCalls).toBe(0);
  });

  it('rejects a cap below 1', () => {
    expect(() => capPerClient(() => undefined, 0, overloaded)).toThrow(RangeError);
  });
});
