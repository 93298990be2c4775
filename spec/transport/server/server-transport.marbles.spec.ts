/**
 * The server transport in virtual time: the whole pipeline (routing, handlers, replies, bad frames,
 * heartbeat, broadcasts, client counts, cancellation) driven through the VirtualEdge inside
 * TestScheduler.run(), with no sockets and no waiting.
 */
import { delay, map, of, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { VirtualEdge } from '../../../src/testing/index.js';
import { countReached, ofType, WebSocketServerTransport, type ServerTransportOptions } from '../../../src/transport/index.js';
import { testScheduler } from '../../support/marbles.js';

/** A started server on a virtual edge (start() wires the pipeline at once). */
function virtualServer(options: ServerTransportOptions = {}) {
  const edge = new VirtualEdge();
  const server = new WebSocketServerTransport({ heartbeat: false, logger: false, ...options, edge });
  void server.start();
  return { edge, server };
}

describe('the server pipeline in virtual time', () => {
  it('routes by type and answers each client in its own time', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge } = virtualServer({
        messageHandler: {
          now: (message) => ({ type: 'now', n: message['n'] }),
          later: (message) => of({ type: 'later', n: message['n'] }).pipe(delay(5)),
        },
      });
      const alice = edge.connect();
      const bob = edge.connect();
      hot('-a--b', { a: { type: 'later', n: 1 }, b: { type: 'now', n: 2 } }).subscribe((m) => alice.send(m));
      hot('--c', { c: { type: 'now', n: 3 } }).subscribe((m) => bob.send(m));
      expectObservable(alice.messages$).toBe('----b-a', { a: { type: 'later', n: 1 }, b: { type: 'now', n: 2 } });
      expectObservable(bob.messages$).toBe('--c', { c: { type: 'now', n: 3 } });
    });
  });

  it('publishes accepted messages on messages$ (ofType filters them), and answers bad frames with error replies only', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualServer();
      const client = edge.connect();
      hot('-a-b-c-d', { a: '{oops', b: '[1]', c: '{"type":"cmd","x":1}', d: '{"type":"other"}' }).subscribe((frame) => client.send(frame));
      expectObservable(server.messages$.pipe(ofType('cmd'), map(({ message }) => message))).toBe('-----c', { c: { type: 'cmd', x: 1 } });
      expectObservable(client.messages$.pipe(map((reply) => reply['code']))).toBe('-i-n', { i: 'invalid_json', n: 'not_an_object' });
    });
  });

  it('counts clients as they come and go; countReached is waitForClients as an Observable', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualServer();
      const clients = [edge.connect()];
      hot('--a-b--c', { a: 'join', b: 'join', c: 'leave' }).subscribe((what) => {
        if (what === 'join') clients.push(edge.connect());
        else clients.shift()?.close();
      });
      expectObservable(server.clientCount$).toBe('1-2-3--2', { 1: 1, 2: 2, 3: 3 });
      expectObservable(countReached(server.clientCount$, 3, 100)).toBe('----(t|)', { t: true });
      expectObservable(countReached(server.clientCount$, 9, 100)).toBe('100ms (f|)', { f: false });
    });
  });

  it('terminates a client that stops answering pings: one interval, then one timeout', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualServer({ heartbeat: { interval: 30, timeout: 10 } });
      // The heartbeat ticks for as long as the server runs: stop it, or virtual time never ends.
      hot('100ms s').subscribe(() => void server.stop());
      const alive = edge.connect();
      const silent = edge.connect({ autoPong: false });
      expectObservable(server.disconnections$.pipe(map(({ code }) => code))).toBe('40ms d', { d: 1006 });
      expectObservable(silent.closed$.pipe(map(({ code }) => code))).toBe('40ms (c|)', { c: 1006 });
      expectObservable(server.clientCount$.pipe(take(2))).toBe('2 39ms (1|)', { 1: 1, 2: 2 });
      expect(alive.isOpen).toBe(true);
    });
  });

  it('broadcasts once to every client; a client that joined later hears only what came after', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const { edge, server } = virtualServer();
      const early = edge.connect();
      let late = early;
      hot('--j').subscribe(() => (late = edge.connect()));
      hot('-a--b', { a: { n: 1 }, b: { n: 2 } }).subscribe((n) => void server.broadcastNotification(n));
      expectObservable(early.messages$).toBe('-a--b', { a: { n: 1, type: 'notification' }, b: { n: 2, type: 'notification' } });
      hot('---x').subscribe(() => expect(late.received).toEqual([]));
      hot('-----y').subscribe(() => expect(late.received).toEqual([{ n: 2, type: 'notification' }]));
    });
  });

  it('ends an Observable reply when its client goes away for good', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const reply$ = cold<JsonObject>('--a-b-c-d', { a: { tick: 0 }, b: { tick: 1 }, c: { tick: 2 }, d: { tick: 3 } });
      const { edge } = virtualServer({ messageHandler: () => reply$ });
      const client = edge.connect();
      hot('a').subscribe(() => client.send({ stream: true }));
      hot('-----x').subscribe(() => client.close());
      expectObservable(client.messages$).toBe('--a-b|', { a: { tick: 0 }, b: { tick: 1 } });
      expectSubscriptions(reply$.subscriptions).toBe('^----!');
    });
  });

  it('turns away the client past maxClients with 1013', () => {
    testScheduler().run(() => {
      const { edge, server } = virtualServer({ maxClients: 1 });
      edge.connect();
      const refused = edge.connect();
      expect(refused.closeInfo).toEqual({ code: 1013, reason: 'Server is full; try again later' });
      expect(server.getConnectedClients()).toBe(1);
    });
  });

  it('refuses a flood over the message rate with error replies, then cuts the sender off with 1008', () => {
    testScheduler().run(({ expectObservable }) => {
      const { edge } = virtualServer({ messageRate: { rate: 1, burst: 2, maxRefusals: 2, abuseWindowMs: 1000 }, messageHandler: () => ({ ok: true }) });
      const client = edge.connect();
      for (let n = 0; n < 6; n++) if (client.isOpen) client.send({ n });
      expect(client.received.map((reply) => reply['code'] ?? 'ok')).toEqual(['ok', 'ok', 'rate_limited', 'rate_limited']);
      expect(client.closeInfo).toEqual({ code: 1008, reason: 'Message rate exceeded' });
      expectObservable(of(client.isOpen)).toBe('(f|)', { f: false });
    });
  });
});
