import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { compileHostAllowList, localHostHeader } from '../security/origin-policy.js';

/** `/healthz` and `/readyz` on the transport's own listener (see docs/observability.md). */
export interface HealthOptions {
  /** Liveness: 200 while the process serves. Default `'/healthz'`. */
  readonly path?: string;
  /** Readiness: 200 when started, not stopping and (with a `cluster`) the bus connected; 503 otherwise. Default `'/readyz'`. */
  readonly readyPath?: string;
}

/**
 * Whatever renders Prometheus text: a prom-client `Registry` is one as it is. The transport takes
 * this shape rather than prom-client's type, so its core never imports prom-client.
 */
export interface MetricsSource {
  /** The `Content-Type` of the text. */
  readonly contentType: string;
  /** The text exposition, rendered now. */
  metrics(): Promise<string>;
}

/** Serve a registry's text on the transport's own listener. */
export interface MetricsRouteOptions {
  /** Default `'/metrics'`. */
  readonly path?: string;
  readonly registry: MetricsSource;
}

/** Answers the request if its path is one of the observability routes; `false` leaves it to the next handler. */
export type HttpRoutes = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Takes the upgrade if its path is one of these routes (the socket is then theirs); `false` leaves it to the transport. */
export type UpgradeRoutes = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Answers a request with the first route that takes it. */
export function firstRoute(...routes: readonly (HttpRoutes | undefined)[]): HttpRoutes | undefined {
  const present = routes.filter((route) => route !== undefined);
  if (present.length === 0) return undefined;
  return (request, response) => present.some((route) => route(request, response));
}

export interface RoutesParts {
  readonly health: HealthOptions | undefined;
  readonly metrics: MetricsRouteOptions | undefined;
  /** The server's readiness now. */
  readonly isReady: () => boolean;
  /** The transport's `allowedHosts` as resolved: the metrics route honours it (DNS rebinding). */
  readonly allowedHosts: readonly string[] | 'local' | undefined;
  /** A registry that failed to render: told here, answered 500. */
  readonly failed: (error: unknown) => void;
}

/**
 * The health and metrics routes, or `undefined` when neither is asked for. Health answers any
 * request (no Host, Origin or authenticate check: a load balancer probes by IP, and the answer
 * says nothing but up or not); metrics get the Host check, since their text names tools and counts.
 */
export function observabilityRoutes(parts: RoutesParts): HttpRoutes | undefined {
  const { health, metrics, isReady, failed } = parts;
  if (!health && !metrics) return undefined;
  const livePath = health ? (health.path ?? '/healthz') : undefined;
  const readyPath = health ? (health.readyPath ?? '/readyz') : undefined;
  const metricsPath = metrics ? (metrics.path ?? '/metrics') : undefined;
  const hostAllowed = hostCheckOf(parts.allowedHosts);
  return (request, response) => {
    const pathname = (request.url ?? '/').split('?', 1)[0];
    if (pathname === livePath) return answer(response, 200, 'ok');
    if (pathname === readyPath) return isReady() ? answer(response, 200, 'ready') : answer(response, 503, 'not ready');
    if (pathname !== metricsPath || !metrics) return false;
    if (!hostAllowed(request.headers.host)) return answer(response, 403, 'Forbidden');
    metrics.registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
        response.end(text);
      },
      (error: unknown) => {
        failed(error);
        answer(response, 500, 'metrics failed');
      },
    );
    return true;
  };
}

function hostCheckOf(allowedHosts: readonly string[] | 'local' | undefined): (host: string | undefined) => boolean {
  if (allowedHosts === undefined) return () => true;
  if (allowedHosts === 'local') return localHostHeader;
  return compileHostAllowList(allowedHosts);
}

function answer(response: ServerResponse, status: number, body: string): true {
  response.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(body);
  return true;
}
