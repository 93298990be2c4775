import { interval, mergeMap, timer, type Observable, type SchedulerLike, asyncScheduler } from 'rxjs';

/** One end of a connection the heartbeat watches. */
export interface HeartbeatPeer {
  /** Sends a ping frame. */
  ping(): void;
  /** Set by the heartbeat before each ping, cleared by whoever sees the pong. */
  awaitingPong: boolean;
  /** Peers that closed meanwhile are not reported. */
  readonly isOpen: boolean;
}

/** How often peers are pinged, and how long a pong may take before the peer counts as dead. */
export interface HeartbeatOptions {
  /** Time between two pings, ms. */
  readonly interval: number;
  /** How long a pong may take after its ping before the peer counts as dead, ms. */
  readonly timeout: number;
}

/**
 * Pings every peer each `interval` and emits each peer that has not answered within `timeout`.
 *
 * One timer serves every connection of a server (the ws idiom), rather than one timer per socket:
 * 10k idle clients cost one interval, not 10k. Time comes from `scheduler`, so marble tests run it
 * in virtual time.
 *
 * @example heartbeat(() => clients.values(), { interval: 30_000, timeout: 10_000 }).subscribe(c => c.terminate())
 */
export function heartbeat<P extends HeartbeatPeer>(
  peers: () => Iterable<P>,
  options: HeartbeatOptions,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<P> {
  return interval(options.interval, scheduler).pipe(
    mergeMap(() => {
      const pinged: P[] = [];
      for (const peer of peers()) {
        if (!peer.isOpen) continue;
        peer.awaitingPong = true;
        peer.ping();
        pinged.push(peer);
      }
      return timer(options.timeout, scheduler).pipe(
        mergeMap(() => pinged.filter((peer) => peer.awaitingPong && peer.isOpen)),
      );
    }),
  );
}

/**
 * Fills in defaults and checks the timing: a pong must be due before the next ping, or the next
 * round would clear the previous one's mark and a dead peer would get more than `timeout`.
 */
export function resolveHeartbeat(options: Partial<HeartbeatOptions> | false | undefined, defaults: HeartbeatOptions): HeartbeatOptions | undefined {
  if (options === false) return undefined;
  const resolved = { ...defaults, ...options };
  if (!(resolved.interval > 0)) throw new RangeError(`heartbeat.interval must be a positive number, got ${resolved.interval}`);
  if (!(resolved.timeout > 0 && resolved.timeout < resolved.interval)) {
    throw new RangeError(`heartbeat.timeout must be positive and less than heartbeat.interval (${resolved.interval}), got ${resolved.timeout}`);
  }
  return resolved;
}
