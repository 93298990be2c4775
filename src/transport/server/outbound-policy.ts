import type { SchedulerLike } from 'rxjs';
import { OutboundGate, type SlowConsumerEvent, type SlowConsumerOptions } from '../flow/slow-consumer.js';
import type { OutboundPolicy } from './connection.js';

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
