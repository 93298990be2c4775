import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { CloseCode, OverloadedError, RateLimitedError, ServerFullError, UpgradeRefusedError } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { nextValue, nextValues, RawClient, startClient, startServer } from '../../support/sockets.js';
import { upgradeResponse } from '../security/upgrade-response.js';

afterEach(closeAll);

describe('connection rate per remote address', () => {
  it('answers 429 with Retry-After once an address has used its burst, while other addresses still connect', async () => {
    // A rate this slow earns no token back during the test: the outcome does not depend on timing.
    const { server, url } = await startServer({ connectionRate: { rate: 0.001, burst: 2 } });
    expect((await upgradeResponse(url, 'mcp')).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp')).status).toBe(101);
    const refused = await upgradeResponse(url, 'mcp');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // 127.0.0.2 is this machine too (the whole 127/8 is loopback), but another remote address.
    expect((await upgradeResponse(url, 'mcp', { localAddress: '127.0.0.2' })).status).toBe(101);
    expect(server.getClients().map((client) => client.remoteAddress)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.2']);
  });

  it('can count under another key, such as a proxy-supplied address', async () => {
    const { url } = await startServer({
      connectionRate: { rate: 0.001, burst: 1 },
      clientAddress: (request) => String(request.headers['x-client'] ?? 'unknown'),
    });
    expect((await upgradeResponse(url, 'mcp', { headers: { 'x-client': 'a' } })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { headers: { 'x-client': 'b' } })).status).toBe(101);
    expect((await upgradeResponse(url, 'mcp', { headers: { 'x-client': 'a' } })).status).toBe(429);
  });

  it("a transport client refused with 429 waits the server's Retry-After before it asks again", async () => {
    // One connection per second: the second client's first attempt is refused with Retry-After: 1.
    const { server, url } = await startServer({ connectionRate: { rate: 1, burst: 1 } });
    await RawClient.open(url, 'mcp');
    const refusals: number[] = [];
    server.errors$.subscribe(({ error }) => {
      if (error instanceof UpgradeRefusedError) refusals.push(Date.now());
    });
    const started = Date.now();
    // Without Retry-After this policy would ask again within 10 ms, and be refused again and again.
    await startClient(url, { reconnect: { initialDelay: 10, maxDelay: 5000, maxRetries: 20 } });
    expect(refusals).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });
});

describe('maxClients', () => {
  it('closes a connection over the limit with 1013 and keeps the count at the limit', async () => {
    const { server, url } = await startServer({ maxClients: 2 });
    await RawClient.open(url, 'mcp');
    await RawClient.open(url, 'mcp');
    const full = nextValue(server.errors$, ({ error }) => error instanceof ServerFullError);
    const third = await RawClient.open(url, 'mcp');
    expect(await third.closed).toEqual({ code: CloseCode.TryAgainLater, reason: 'Server is full; try again later' });
    await full;
    expect(server.getConnectedClients()).toBe(2);
  });

  it('admits a newcomer again once a slot is free', async () => {
    const { server, url } = await startServer({ maxClients: 1 });
    const first = await RawClient.open(url, 'mcp');
    const turnedAway = await RawClient.open(url, 'mcp');
    expect((await turnedAway.closed).code).toBe(CloseCode.TryAgainLater);
    const left = nextValue(server.disconnections$);
    first.socket.close();
    await left;
    const admitted = nextValue(server.connections$);
    await RawClient.open(url, 'mcp');
    await admitted;
    expect(server.getConnectedClients()).toBe(1);
  });
});

describe('message rate per connection', () => {
  it('answers messages over the rate with a rate_limited error reply, then closes with 1008 on repeated abuse', async () => {
    const { server, url } = await startServer({
      messageRate: { rate: 0.001, burst: 3, maxRefusals: 2 },
      messageHandler: (message) => ({ type: 'echo', n: message['n'] ?? null }),
    });
    const limited = nextValues(server.errors$, 3, 'three rate-limit reports');
    const client = await RawClient.open(url, 'mcp');
    for (let n = 1; n <= 6; n += 1) client.sendJson({ type: 'work', n });
    const replies: unknown[] = [];
    for (let i = 0; i < 5; i += 1) replies.push(await client.next());
    expect(replies).toEqual([
      { type: 'echo', n: 1 },
      { type: 'echo', n: 2 },
      { type: 'echo', n: 3 },
      { type: 'error', error: 'Too many messages; slow down', code: 'rate_limited' },
      { type: 'error', error: 'Too many messages; slow down', code: 'rate_limited' },
    ]);
    expect(await client.closed).toEqual({ code: CloseCode.PolicyViolation, reason: 'Message rate exceeded' });
    expect((await limited).map(({ error }) => error instanceof RateLimitedError)).toEqual([true, true, true]);
  });

  it('hands the refused message to errorReply, so a JSON-RPC layer can answer with its id', async () => {
    const { url } = await startServer({
      messageRate: { rate: 0.001, burst: 1 },
      messageHandler: () => ({ ok: true }),
      errorReply: (problem) => ({ kind: problem.kind, id: problem.request?.['id'] ?? null }),
    });
    const client = await RawClient.open(url, 'mcp');
    client.sendJson({ id: 1 });
    client.sendJson({ id: 2 });
    expect(await client.next()).toEqual({ ok: true });
    expect(await client.next()).toEqual({ kind: 'rate_limited', id: 2 });
  });

  it('is generous by default: a burst of 1500 messages is all handled', async () => {
    const { url } = await startServer({ messageHandler: () => undefined });
    const client = await RawClient.open(url, 'mcp');
    for (let n = 0; n < 1500; n += 1) client.sendJson({ n });
    // Nothing refused: a bad frame after the burst is the first reply, proving no rate_limited came before it.
    client.socket.send('not json');
    expect(await client.next()).toMatchObject({ code: 'invalid_json' });
  });
});

describe('in-flight handler calls per connection', () => {
  it('refuses calls over maxInFlight with an overloaded error reply, and admits more once calls finish', async () => {
    const pending: Array<() => void> = [];
    const { server, url } = await startServer({
      maxInFlight: 2,
      messageHandler: (message) =>
        new Promise<JsonObject>((resolve) => {
          pending.push(() => resolve({ type: 'done', n: message['n'] ?? null }));
        }),
    });
    const overloaded = nextValue(server.errors$, ({ error }) => error instanceof OverloadedError);
    const client = await RawClient.open(url, 'mcp');
    for (let n = 1; n <= 3; n += 1) client.sendJson({ n });
    expect(await client.next()).toEqual({ type: 'error', error: 'Too many requests in progress; retry later', code: 'overloaded' });
    await overloaded;
    expect(pending).toHaveLength(2);
    for (const finish of pending.splice(0)) finish();
    expect(await client.next()).toEqual({ type: 'done', n: 1 });
    expect(await client.next()).toEqual({ type: 'done', n: 2 });
    const received = nextValue(server.messages$);
    client.sendJson({ n: 4 });
    await received;
    pending.splice(0).forEach((finish) => finish());
    expect(await client.next()).toEqual({ type: 'done', n: 4 });
  });

  it('frees a slot when a handler fails, so errors do not leak capacity', async () => {
    let calls = 0;
    const { url } = await startServer({
      maxInFlight: 1,
      messageHandler: async () => {
        calls += 1;
        await Promise.resolve();
        throw new Error('boom');
      },
    });
    const client = await RawClient.open(url, 'mcp');
    for (let n = 0; n < 3; n += 1) {
      client.sendJson({ n });
      expect(await client.next()).toMatchObject({ code: 'handler_failed' });
    }
    expect(calls).toBe(3);
  });

  it('counts per connection: one busy client does not block another', async () => {
    const { url } = await startServer({
      maxInFlight: 1,
      messageHandler: (message) => (message['hang'] === true ? new Promise<undefined>(() => undefined) : { type: 'done' }),
    });
    const busy = await RawClient.open(url, 'mcp');
    busy.sendJson({ hang: true });
    busy.sendJson({ hang: false });
    expect(await busy.next()).toMatchObject({ code: 'overloaded' });
    const other = await RawClient.open(url, 'mcp');
    other.sendJson({ hang: false });
    expect(await other.next()).toEqual({ type: 'done' });
  });
});
