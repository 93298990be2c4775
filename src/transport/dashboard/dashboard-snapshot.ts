import type { TrafficTotals } from '../observability/traffic.js';
import type { DashboardPanel } from './dashboard-options.js';
import type { DashboardSource, WatchedClient } from './dashboard-source.js';
import type { DashboardTally } from './dashboard-tally.js';

/** Clients listed in a snapshot; the count covers them all. */
export const MAX_LISTED_CLIENTS = 100;
/** Points of the history a new page starts its charts with (5 minutes at one a second). */
export const HISTORY_POINTS = 300;

/** One point of the charts. */
export interface HistoryPoint {
  readonly at: number;
  /** This node's clients. */
  readonly clients: number;
  readonly messagesInPerSec: number;
  readonly messagesOutPerSec: number;
  readonly bytesInPerSec: number;
  readonly bytesOutPerSec: number;
}

/**
 * Takes the server's picture once per sample: its clients (a bounded list, the counters each
 * connection keeps), the rates since the last sample, the tally and the panels. Each sample also
 * becomes a point of a bounded history, which a page opened later starts its charts with.
 */
export class DashboardSampler {
  readonly history: HistoryPoint[] = [];
  private last: { readonly at: number; readonly traffic: TrafficTotals };
  private readonly startedAt: number;

  constructor(
    private readonly source: DashboardSource,
    private readonly tally: DashboardTally,
    private readonly panels: readonly DashboardPanel[],
  ) {
    this.startedAt = source.scheduler.now();
    this.last = { at: this.startedAt, traffic: { ...source.traffic } };
  }

  /** A snapshot now; moves the rates on and adds a history point. */
  sample(): Record<string, unknown> {
    const { source, tally } = this;
    const at = source.scheduler.now();
    const traffic = { ...source.traffic };
    const seconds = Math.max((at - this.last.at) / 1000, 0.001);
    const rate = (key: keyof TrafficTotals): number => Math.round(((traffic[key] - this.last.traffic[key]) / seconds) * 10) / 10;
    const { listed, count, queuedBytes } = listClients(source.clients());
    const point: HistoryPoint = {
      at,
      clients: count,
      messagesInPerSec: rate('messagesIn'),
      messagesOutPerSec: rate('messagesOut'),
      bytesInPerSec: rate('bytesIn'),
      bytesOutPerSec: rate('bytesOut'),
    };
    this.last = { at, traffic };
    this.history.push(point);
    if (this.history.length > HISTORY_POINTS) this.history.shift();
    return {
      type: 'snapshot',
      at,
      uptimeMs: at - this.startedAt,
      ready: source.ready,
      node: source.cluster?.nodeId,
      point,
      clients: { count, listed, queuedBytes, connectedTotal: tally.connected, leftTotal: tally.left },
      traffic,
      slow: [...tally.slow.values()].map(({ clientId, policy, bufferedAmount, dropped, since }) => ({ clientId, policy, bufferedAmount, dropped, since })),
      closeCodes: tally.closeCodes.toJSON(),
      errors: tally.errors.toJSON(),
      cluster: source.cluster && { bus: tally.bus, nodes: tally.nodes.map((node) => ({ ...node, self: node.nodeId === source.cluster?.nodeId })) },
      panels: Object.fromEntries(this.panels.map((panel) => [panel.name, panel.snapshot()])),
    };
  }
}

/** The first clients (oldest first) as rows, and totals over all of them. */
function listClients(clients: Iterable<WatchedClient>): { listed: unknown[]; count: number; queuedBytes: number } {
  const listed: unknown[] = [];
  let count = 0;
  let queuedBytes = 0;
  for (const client of clients) {
    count++;
    queuedBytes += client.bufferedAmount;
    if (listed.length >= MAX_LISTED_CLIENTS) continue;
    listed.push({
      id: client.id,
      address: client.remoteAddress === undefined ? undefined : `${client.remoteAddress}:${client.remotePort ?? ''}`,
      protocol: client.protocol,
      connectedAt: client.connectedAt.getTime(),
      messagesIn: client.messagesIn,
      messagesOut: client.messagesOut,
      queuedBytes: client.bufferedAmount,
      open: client.isOpen,
    });
  }
  return { listed, count, queuedBytes };
}
