import { Dashboard } from '../dashboard/dashboard.js';
import type { DashboardSource } from '../dashboard/dashboard-source.js';
import { firstRoute, observabilityRoutes, type HttpRoutes, type UpgradeRoutes } from '../observability/http-routes.js';
import type { ResolvedServerOptions } from './server-options.js';

/**
 * What the transport's own listener answers besides its clients, for operators: health, readiness
 * and metrics, then the dashboard's page and its live feed. Each is there only when asked for.
 */
export interface OperatorRoutes {
  /** Plain HTTP requests: `/healthz`, `/readyz`, `/metrics`, the dashboard's page. */
  readonly routes: HttpRoutes | undefined;
  /** WebSocket upgrades taken before the clients' (the dashboard's feed). */
  readonly upgrades: UpgradeRoutes | undefined;
  /** The dashboard, which the server starts when it serves and stops when it begins stopping. */
  readonly dashboard: Dashboard | undefined;
}

/** The operator routes for `options`; `isReady` is what `/readyz` answers, `watch` what the dashboard shows. */
export function operatorRoutes(options: ResolvedServerOptions, isReady: () => boolean, watch: () => DashboardSource): OperatorRoutes {
  const observability = observabilityRoutes({
    health: options.health,
    metrics: options.metrics,
    isReady,
    allowedHosts: options.allowedHosts,
    failed: (error) => options.logger.warn(`nexus-mcp: the metrics registry failed to render: ${error instanceof Error ? error.message : String(error)}`),
  });
  const dashboard = options.dashboard && new Dashboard(options.dashboard, watch);
  return { routes: firstRoute(observability, dashboard?.routes), upgrades: dashboard?.upgrades, dashboard };
}
