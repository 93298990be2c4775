import { distinctUntilChanged, map, merge, Subscription, type Observable } from 'rxjs';
import type { ClusterNode } from '../cluster/cluster-bus.js';
import type { SlowConsumerEvent } from '../flow/slow-consumer.js';
import type { DashboardEvent, DashboardPanel } from './dashboard-options.js';
import type { DashboardSource } from './dashboard-source.js';

/** Distinct keys a tally keeps (close codes, error kinds, slow clients); further ones count as `other`. */
const MAX_KEYS = 50;

/** Counts by key, with a bounded number of keys: a peer choosing close codes cannot grow it. */
export class BoundedCounts {
  private readonly counts = new Map<string, number>();

  add(key: string): void {
    const counted = this.counts.has(key) || this.counts.size < MAX_KEYS ? key : 'other';
    this.counts.set(counted, (this.counts.get(counted) ?? 0) + 1);
  }

  /** `{ key: count }`, largest first. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}

/**
 * What the dashboard remembers between snapshots, kept from the server's streams: close codes,
 * error kinds, the connections congested now, the cluster's nodes and its bus.
 */
export class DashboardTally {
  readonly closeCodes = new BoundedCounts();
  readonly errors = new BoundedCounts();
  /** Congested connections, by client id (bounded). */
  readonly slow = new Map<string, SlowConsumerEvent & { readonly since: number }>();
  nodes: readonly ClusterNode[] = [];
  bus = 'connected';
  connected = 0;
  left = 0;

  /** Keeps the tally from the source's streams until unsubscribed. */
  watch(source: DashboardSource): Subscription {
    const subscription = new Subscription();
    subscription.add(source.connections$.subscribe(() => this.connected++));
    subscription.add(
      source.disconnections$.subscribe(({ clientId, code }) => {
        this.left++;
        this.closeCodes.add(String(code));
        this.slow.delete(clientId);
      }),
    );
    subscription.add(source.errors$.subscribe(({ error }) => this.errors.add(error.code)));
    subscription.add(
      source.slowConsumer$.subscribe((event) => {
        if (event.kind !== 'congested') this.slow.delete(event.clientId);
        else if (this.slow.size < MAX_KEYS) this.slow.set(event.clientId, { ...event, since: source.scheduler.now() });
      }),
    );
    if (source.cluster) {
      subscription.add(source.cluster.nodes$.subscribe((nodes) => (this.nodes = nodes)));
      subscription.add(source.cluster.status$.subscribe((status) => (this.bus = status.kind)));
    }
    return subscription;
  }
}

/** The event log's lines: arrivals, departures, slow consumers, the bus, and whatever the panels tell. */
export function dashboardEvents(source: DashboardSource, panels: readonly DashboardPanel[]): Observable<DashboardEvent> {
  const arrivals = source.connections$.pipe(
    map((client): DashboardEvent => ({
      kind: 'connect',
      clientId: client.id,
      text: `connected from ${client.remoteAddress ?? 'an unknown address'}${client.protocol ? ` (${client.protocol})` : ''}`,
    })),
  );
  const departures = source.disconnections$.pipe(
    map(({ clientId, code, reason }): DashboardEvent => ({ kind: 'leave', clientId, text: `left with ${code}${reason ? ` (${reason})` : ''}`, warn: code !== 1000 && code !== 1001 })),
  );
  const slow = source.slowConsumer$.pipe(
    map(({ kind, clientId, bufferedAmount, dropped }): DashboardEvent => ({
      kind: 'slow',
      clientId,
      text: `slow consumer ${kind} (${bufferedAmount} bytes buffered, ${dropped} dropped)`,
      warn: kind !== 'drained',
    })),
  );
  const bus =
    source.cluster?.status$.pipe(
      map((status) => status.kind),
      distinctUntilChanged(),
      map((kind): DashboardEvent => ({ kind: 'node', text: `cluster bus ${kind}`, warn: kind === 'disconnected' })),
    ) ?? [];
  const fromPanels = panels.flatMap((panel) => (panel.events$ ? [panel.events$] : []));
  return merge(arrivals, departures, slow, bus, ...fromPanels);
}
