import { Counter, Gauge, type Registry } from 'prom-client';
import { Subscription } from 'rxjs';
import { RateLimitedError, UpgradeRefusedError, type WebSocketServerTransport } from '../transport/index.js';

/** How a collector names its metrics and where it registers them. */
export interface MetricNaming {
  readonly registry: Registry;
  /** Prepended to every metric name. */
  readonly prefix: string;
}

/**
 * The transport's metrics: counters and gauges fed by its own Observables (connections, leaves,
 * errors, slow-consumer events), and its traffic totals read at scrape time (no work per frame).
 * Unsubscribing the result stops feeding them; the registry keeps what they counted.
 */
export function collectTransportMetrics(server: WebSocketServerTransport, { registry, prefix }: MetricNaming): Subscription {
  const registers = [registry];
  const connections = new Gauge({ name: `${prefix}connections`, help: 'Clients connected to this node now', registers });
  const connected = new Counter({ name: `${prefix}connections_total`, help: 'Clients that connected to this node', registers });
  const closed = new Counter({
    name: `${prefix}disconnections_total`,
    help: 'Clients gone for good, by close code',
    labelNames: ['code'],
    registers,
  });
  const errors = new Counter({ name: `${prefix}errors_total`, help: "Problems reported on the transport's errors$, by kind", labelNames: ['kind'], registers });
  const refusals = new Counter({
    name: `${prefix}rate_limit_refusals_total`,
    help: 'Refusals by a rate limit: scope "message" (messageRate) or "connection" (connectionRate, HTTP 429)',
    labelNames: ['scope'],
    registers,
  });
  const slow = new Counter({
    name: `${prefix}slow_consumer_events_total`,
    help: 'Slow-consumer policy events: congested, drained, disconnected',
    labelNames: ['kind'],
    registers,
  });
  new Gauge({
    name: `${prefix}ready`,
    help: 'Whether the server is ready for new clients (1) or not (0), as /readyz answers',
    registers,
    collect() {
      this.set(server.ready ? 1 : 0);
    },
  });
  trafficCounters(server, { registry, prefix });
  // Both directions labelled at once, so a scrape shows 0 before the first event.
  for (const scope of ['message', 'connection']) refusals.labels(scope).inc(0);
  const subscription = new Subscription();
  subscription.add(server.localClientCount$.subscribe((count) => connections.set(count)));
  subscription.add(server.connections$.subscribe(() => connected.inc()));
  subscription.add(server.disconnections$.subscribe(({ code }) => closed.labels(String(code)).inc()));
  subscription.add(server.slowConsumer$.subscribe(({ kind }) => slow.labels(kind).inc()));
  subscription.add(
    server.errors$.subscribe(({ error }) => {
      errors.labels(error.code).inc();
      if (error instanceof RateLimitedError) refusals.labels('message').inc();
      else if (error instanceof UpgradeRefusedError && error.status === 429) refusals.labels('connection').inc();
    }),
  );
  return subscription;
}

/** Messages and bytes in and out: the server's running totals, turned into counter increments at each scrape. */
function trafficCounters(server: WebSocketServerTransport, { registry, prefix }: MetricNaming): void {
  let seen = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
  // prom-client calls a metric's collect() before rendering it; whichever comes first catches both up.
  const catchUp = (): void => {
    const now = { ...server.traffic };
    messages.labels('in').inc(now.messagesIn - seen.messagesIn);
    messages.labels('out').inc(now.messagesOut - seen.messagesOut);
    bytes.labels('in').inc(now.bytesIn - seen.bytesIn);
    bytes.labels('out').inc(now.bytesOut - seen.bytesOut);
    seen = now;
  };
  const registers = [registry];
  const messages = new Counter({
    name: `${prefix}messages_total`,
    help: 'Messages received from and handed to clients, by direction',
    labelNames: ['direction'],
    registers,
    collect: catchUp,
  });
  const bytes = new Counter({
    name: `${prefix}message_bytes_total`,
    help: 'Size of those messages, by direction (bytes; UTF-16 code units for text, equal to bytes for ASCII JSON)',
    labelNames: ['direction'],
    registers,
    collect: catchUp,
  });
  catchUp();
}
