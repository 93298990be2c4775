import type { SchedulerLike } from 'rxjs';
import type { PeerLink } from '../../edges/edge.js';
import { OutboundGate, type SlowConsumerEvent, type SlowConsumerOptions } from '../../flow/slow-consumer.js';
import type { Connection } from './connection.js';

/** The slow-consumer policy of a server, shared by its connections. */
export interface OutboundPolicy {
  /** A connection gets its gate once a write would take its buffer past this many bytes. */
  readonly lowWatermark: number;
  gate(link: PeerLink, client: Connection): OutboundGate;
}

/**
 * The slow-consumer policy each connection's writes go through: a gate per connection that
 * reports congestion, draining and disconnection as events carrying the client's id.
 */
export function outboundPolicy(
  policy: SlowConsumerOptions | undefined,
  scheduler: SchedulerLike,
  report: (event: SlowConsumerEvent) => void,
): OutboundPolicy | undefined {
  if (!policy) return undefined;
  return {
    lowWatermark: policy.lowWatermark,
    gate: (link, client) =>
      new OutboundGate(link, policy, scheduler, (event) => {
        // The policy closed it on purpose: not a drop to resume from.
        if (event.kind === 'disconnected') client.closedByServer = true;
        report({ ...event, clientId: client.id });
      }),
  };
}
