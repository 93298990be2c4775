import { map, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { heartbeat, resolveHeartbeat, type HeartbeatPeer } from '../../../src/transport/operators/heartbeat.js';
import { testScheduler } from '../../support/marbles.js';

/**
 * A peer of the heartbeat: answers each ping after `pongAfter` ms of virtual time, or never.
 * (The heartbeat only sees this interface; the real sockets are covered in the integration tests.)
 */
class Peer implements HeartbeatPeer {
  awaitingPong = false;
  isOpen = true;
  pings: number[] = [];

  constructor(
    readonly name: string,
    private readonly scheduler: SchedulerLike,
    private readonly pongAfter: number | 'never',
  ) {}

  ping(): void {
    this.pings.push(this.scheduler.now());
    if (this.pongAfter === 'never') return;
    this.scheduler.schedule(() => {
      this.awaitingPong = false;
    }, this.pongAfter);
  }
}

const options = { interval: 100, timeout: 20 };

describe('heartbeat', () => {
  it('emits a peer that missed its pong, after each ping that went unanswered', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const dead = new Peer('dead', scheduler, 'never');
      const beats = heartbeat(() => [dead], options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 350ms !').toBe('120ms d 99ms d 99ms d', { d: 'dead' });
    });
  });

  it('does not emit a peer that answered within the timeout, and keeps pinging it each interval', () => {
    const scheduler = testScheduler();
    const alive = new Peer('alive', scheduler, 19);
    scheduler.run(({ expectObservable }) => {
      const beats = heartbeat(() => [alive], options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 350ms !').toBe('');
    });
    expect(alive.pings).toEqual([100, 200, 300]);
  });

  it('emits a peer whose pong came after the timeout', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const slow = new Peer('slow', scheduler, 21);
      const beats = heartbeat(() => [slow], options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 150ms !').toBe('120ms s', { s: 'slow' });
    });
  });

  it('judges every peer separately with one timer: only the silent ones are emitted', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const peers = [new Peer('a', scheduler, 5), new Peer('b', scheduler, 'never'), new Peer('c', scheduler, 10), new Peer('d', scheduler, 'never')];
      const beats = heartbeat(() => peers, options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 150ms !').toBe('120ms (bd)', { b: 'b', d: 'd' });
    });
  });

  it('neither pings nor reports peers that closed', () => {
    const scheduler = testScheduler();
    const closedBeforePing = new Peer('closedBeforePing', scheduler, 'never');
    const closedAfterPing = new Peer('closedAfterPing', scheduler, 'never');
    closedBeforePing.isOpen = false;
    scheduler.run(({ expectObservable, cold }) => {
      cold('110ms x').subscribe(() => {
        closedAfterPing.isOpen = false;
      });
      const beats = heartbeat(() => [closedBeforePing, closedAfterPing], options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 250ms !').toBe('');
    });
    expect(closedBeforePing.pings).toEqual([]);
    expect(closedAfterPing.pings).toEqual([100]);
  });

  it('sees peers that join later: the peer list is read at every ping', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, cold }) => {
      const peers: Peer[] = [];
      cold('150ms x').subscribe(() => peers.push(new Peer('late', scheduler, 'never')));
      const beats = heartbeat(() => peers, options, scheduler).pipe(map((peer) => peer.name));
      expectObservable(beats, '^ 250ms !').toBe('220ms l', { l: 'late' });
    });
  });
});

describe('resolveHeartbeat', () => {
  it('fills in defaults and refuses a timeout that is not shorter than the interval', () => {
    const defaults = { interval: 30_000, timeout: 10_000 };
    expect(resolveHeartbeat(undefined, defaults)).toEqual(defaults);
    expect(resolveHeartbeat({ interval: 500, timeout: 100 }, defaults)).toEqual({ interval: 500, timeout: 100 });
    expect(resolveHeartbeat(false, defaults)).toBeUndefined();
    expect(() => resolveHeartbeat({ interval: 100, timeout: 100 }, defaults)).toThrow(RangeError);
    expect(() => resolveHeartbeat({ interval: 1000 }, defaults)).toThrow(/less than heartbeat.interval/);
    expect(() => resolveHeartbeat({ interval: 0, timeout: 0 }, defaults)).toThrow(RangeError);
  });
});
