/**
 * "Delivered or reported, never silently lost", as a check. For each client: the numbered
 * broadcasts it received must have no duplicates and come in order, and every one it did not
 * receive must be accounted for by a loss someone was told of:
 *
 * - the client itself got a SessionExpiredError (after the message was sent);
 * - its node reported that the bus came back having missed what was published meanwhile
 *   (`resubscribed` with `missed: true`, covering `since` … the report), or lost the bus and has
 *   not come back (`disconnected` with no later recovery);
 * - the publishing node reported a failed publish: each such report accounts for one message
 *   (a broadcast is published once), whichever it was.
 *
 * Clients of the publishing node get its broadcasts without the bus, so only their own expiry
 * excuses a gap there. Only the publisher's messages are judged (those in `sentAt`): another node's
 * broadcasts may interleave with them in any order.
 */
import type { NodeEvent } from './node-protocol.js';

/** A stretch of time in which a node said it may have missed what other nodes published. */
export interface LossWindow {
  readonly from: number;
  readonly to: number;
}

export interface ClientRecord {
  readonly clientId: string;
  readonly nodeId: string;
  readonly received: readonly number[];
  readonly expiredAt: readonly number[];
}

export interface AuditInput {
  /** When each numbered message was broadcast. */
  readonly sentAt: ReadonlyMap<number, number>;
  readonly publisher: string;
  /** Every event of every node, by node id. */
  readonly events: ReadonlyMap<string, readonly NodeEvent[]>;
  readonly clients: readonly ClientRecord[];
  /** Slack around each reported window for clocks and queues, ms. Default 1000. */
  readonly marginMs?: number;
}

export interface ClientAudit {
  readonly clientId: string;
  readonly nodeId: string;
  readonly duplicates: readonly number[];
  readonly outOfOrder: boolean;
  readonly missing: readonly number[];
  /** Missing and not covered by a window or an expiry: only failed publishes may explain these. */
  readonly unexplained: readonly number[];
}

export interface Audit {
  readonly clients: readonly ClientAudit[];
  readonly publishFailures: number;
  /** Clients with a gap no report accounts for (more unexplained messages than failed publishes). */
  readonly silentlyLost: readonly ClientAudit[];
  readonly duplicated: readonly ClientAudit[];
  readonly disordered: readonly ClientAudit[];
  /** Messages missing somewhere but accounted for: the losses that were reported. */
  readonly reportedLosses: number;
}

/** The windows in which `events` (one node's, in order) say the node may have missed bus traffic. */
export function lossWindows(events: readonly NodeEvent[], marginMs: number): LossWindow[] {
  const windows: LossWindow[] = [];
  let downSince: number | undefined;
  for (const event of events) {
    if (event.event !== 'status') continue;
    if (event.kind === 'disconnected') downSince ??= event.at;
    if (event.kind === 'resubscribed' && event.missed === true) {
      windows.push({ from: Math.min(event.since ?? event.at, downSince ?? event.at) - marginMs, to: event.at + marginMs });
    }
    if (event.kind === 'resubscribed' || event.kind === 'connected') downSince = undefined;
  }
  if (downSince !== undefined) windows.push({ from: downSince - marginMs, to: Number.POSITIVE_INFINITY });
  return windows;
}

/** How many publishes of a broadcast failed on the node with these events. */
export function publishFailures(events: readonly NodeEvent[]): number {
  return events.filter((event) => event.event === 'error' && event.code === 'cluster' && /publish a broadcast/.test(event.message)).length;
}

export function audit(input: AuditInput): Audit {
  const marginMs = input.marginMs ?? 1000;
  const failures = publishFailures(input.events.get(input.publisher) ?? []);
  const clients = input.clients.map((client) => auditClient(input, client, marginMs));
  return {
    clients,
    publishFailures: failures,
    silentlyLost: clients.filter((client) => client.unexplained.length > (client.nodeId === input.publisher ? 0 : failures)),
    duplicated: clients.filter((client) => client.duplicates.length > 0),
    disordered: clients.filter((client) => client.outOfOrder),
    reportedLosses: clients.reduce((sum, client) => sum + client.missing.length, 0),
  };
}

function auditClient(input: AuditInput, client: ClientRecord, marginMs: number): ClientAudit {
  // Only this publisher's messages: another node's may interleave with them in any order.
  const received = client.received.filter((seq) => input.sentAt.has(seq));
  const seen = new Set<number>();
  const duplicates: number[] = [];
  for (const seq of received) {
    if (seen.has(seq)) duplicates.push(seq);
    seen.add(seq);
  }
  const outOfOrder = received.some((seq, index) => index > 0 && seq < (received[index - 1] ?? 0));
  const missing = [...input.sentAt.keys()].filter((seq) => !seen.has(seq)).sort((a, b) => a - b);
  const windows = client.nodeId === input.publisher ? [] : lossWindows(input.events.get(client.nodeId) ?? [], marginMs);
  const lastExpiry = Math.max(Number.NEGATIVE_INFINITY, ...client.expiredAt);
  const unexplained = missing.filter((seq) => {
    const at = input.sentAt.get(seq) ?? 0;
    if (at <= lastExpiry + marginMs) return false;
    return !windows.some((window) => window.from <= at && at <= window.to);
  });
  return { clientId: client.clientId, nodeId: client.nodeId, duplicates, outOfOrder, missing, unexplained };
}
