/**
 * The `authenticate` hook's deadline. Once a request has become an upgrade, Node's HTTP timeouts no
 * longer apply to its socket, so a hook that never settles would hold the socket for good.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { allow, UpgradeRefusedError, type AuthOutcome, type TransportErrorEvent, type UpgradeRequest } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { RawTcp, upgradeRequestHead } from '../../support/raw-upgrade.js';
import { nextValue, portOf, startServer } from '../../support/sockets.js';

afterEach(closeAll);

/** A hook that never answers, and what it was asked. */
function hangingHook(): { readonly requests: UpgradeRequest[]; readonly authenticate: (request: UpgradeRequest) => Promise<AuthOutcome> } {
  const requests: UpgradeRequest[] = [];
  return {
    requests,
    authenticate: (request) => {
      requests.push(request);
      return new Promise<AuthOutcome>(() => undefined);
    },
  };
}

describe('authTimeoutMs', () => {
  it('answers 503 and closes every upgrade whose hook never settles, aborting each hook’s signal', async () => {
    const hook = hangingHook();
    const { server } = await startServer({ authenticate: hook.authenticate, authTimeoutMs: 200 });
    const errors: TransportErrorEvent[] = [];
    server.errors$.subscribe((event) => errors.push(event));
    const port = portOf(server);
    const upgrades = await Promise.all(Array.from({ length: 50 }, () => RawTcp.open(port)));
    for (const upgrade of upgrades) upgrade.write(upgradeRequestHead(port));

    await Promise.all(upgrades.map((upgrade) => upgrade.closed));
    expect(upgrades.map((upgrade) => upgrade.status)).toEqual(Array.from({ length: 50 }, () => 503));
    expect(upgrades[0]?.text).toMatch(/\r\n\r\nService Unavailable$/);
    expect(hook.requests).toHaveLength(50);
    for (const { signal } of hook.requests) {
      expect(signal.aborted).toBe(true);
      expect((signal.reason as DOMException).name).toBe('TimeoutError');
    }
    const refusals = errors.map(({ error }) => error).filter((error) => error instanceof UpgradeRefusedError);
    expect(refusals).toHaveLength(50);
    expect(refusals[0]).toMatchObject({ status: 503, remoteAddress: '127.0.0.1' });
    expect(refusals[0]?.message).toContain('did not answer within 200 ms');
    expect(server.getConnectedClients()).toBe(0);
  });

  it('ignores an answer that comes after the deadline: a late allow() lets nobody in, a late rejection is not lost', async () => {
    let answered = 0;
    const { server } = await startServer({
      authTimeoutMs: 100,
      authenticate: (request) =>
        new Promise<AuthOutcome>((resolve, reject) => {
          request.signal.addEventListener('abort', () => {
            answered += 1;
            if (request.url.includes('reject')) reject(new Error('too late'));
            else resolve(allow({ clientId: 'late', scopes: [] }));
          });
        }),
    });
    const port = portOf(server);
    const refused = nextValue(server.errors$, ({ error }) => error instanceof UpgradeRefusedError);
    const lateAllow = await RawTcp.open(port);
    lateAllow.write(upgradeRequestHead(port, '/allow'));
    const lateReject = await RawTcp.open(port);
    lateReject.write(upgradeRequestHead(port, '/reject'));
    await Promise.all([lateAllow.closed, lateReject.closed]);
    expect([lateAllow.status, lateReject.status]).toEqual([503, 503]);
    expect(answered).toBe(2);
    expect((await refused).error).toMatchObject({ status: 503 });
    expect(server.getConnectedClients()).toBe(0);
  });

  it('aborts the hook’s signal when the client goes away first, and reports no refusal', async () => {
    const hook = hangingHook();
    const { server } = await startServer({ authenticate: hook.authenticate });
    const errors: TransportErrorEvent[] = [];
    server.errors$.subscribe((event) => errors.push(event));
    const port = portOf(server);
    const upgrade = await RawTcp.open(port);
    upgrade.write(upgradeRequestHead(port));
    await expect.poll(() => hook.requests.length).toBe(1);
    const signal = hook.requests[0]?.signal;
    expect(signal?.aborted).toBe(false);
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
    upgrade.socket.destroy();
    await aborted;
    expect((signal?.reason as DOMException).name).toBe('AbortError');
    await nextMacrotask(); // what the guard does with its decision happens in the microtasks after the abort
    expect(errors).toEqual([]);
  });

  it('aborts the signal of a hook still running when the server stops, and stop() does not wait for it', async () => {
    const hook = hangingHook();
    const { server } = await startServer({ authenticate: hook.authenticate });
    const port = portOf(server);
    const upgrade = await RawTcp.open(port);
    upgrade.write(upgradeRequestHead(port));
    await expect.poll(() => hook.requests.length).toBe(1);
    await server.stop();
    await upgrade.closed;
    await expect.poll(() => hook.requests[0]?.signal.aborted).toBe(true);
  });
});
