import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';

/**
 * The admin page (see docs/dashboard.md): live clients, traffic, slow consumers, close codes and,
 * with a cluster, every node; `MCPServer` adds sessions and tool calls. Off unless asked for.
 */
export interface DashboardOptions {
  /** Where the page is served; its live feed is `<path>/live`. Default `'/dashboard'`. */
  readonly path?: string;
  /**
   * Who may see it. Without a hook, only this machine: a loopback peer (127.0.0.0/8, `::1`) whose
   * `Host` header is a local name. With one, the hook decides from the request (cookies, headers);
   * `false` (or a throw) is answered 403. The live socket also refuses a foreign `Origin` either way.
   */
  readonly authorize?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /** Sections a layer above adds (`MCPServer` adds `mcp`). Default none. */
  readonly panels?: readonly DashboardPanel[];
  /** How often a snapshot is taken and sent, ms. Default 1000. */
  readonly sampleMs?: number;
  /** Most pages watching at once; one more is refused with 503. Default 8. */
  readonly maxViewers?: number;
}

/** One line of the page's event log, as it happened. */
export interface DashboardEvent {
  /** What happened: `connect`, `leave`, `slow`, `tool`, `session`, `node`… */
  readonly kind: string;
  /** Said for a person; shown as text, never as markup. */
  readonly text: string;
  /** The client it concerns, if any. */
  readonly clientId?: string;
  /** Whether it is bad news (a failed call, a slow consumer). */
  readonly warn?: boolean;
}

/** A section of the dashboard that a layer above the transport provides. */
export interface DashboardPanel {
  /** Its key in each snapshot's `panels`; the page knows `mcp`, and shows others as plain values. */
  readonly name: string;
  /** Its state now, as JSON (called once per snapshot: keep it bounded). */
  snapshot(): unknown;
  /** Its events for the log (hot). */
  readonly events$?: Observable<DashboardEvent>;
}

/** The options as the dashboard uses them. */
export interface ResolvedDashboard {
  readonly path: string;
  readonly authorize: DashboardOptions['authorize'];
  readonly panels: readonly DashboardPanel[];
  readonly sampleMs: number;
  readonly maxViewers: number;
}

/** `true` → the defaults; `false`/`undefined` → off. */
export function resolveDashboard(option: DashboardOptions | boolean | undefined): ResolvedDashboard | undefined {
  if (!option) return undefined;
  const options = option === true ? {} : option;
  const path = (options.path ?? '/dashboard').replace(/\/+$/, '');
  if (!path.startsWith('/') || path.length < 2) throw new RangeError(`dashboard.path must start with "/" and name a path, got "${options.path}"`);
  const sampleMs = options.sampleMs ?? 1000;
  if (!(sampleMs >= 50)) throw new RangeError(`dashboard.sampleMs must be at least 50, got ${sampleMs}`);
  const maxViewers = options.maxViewers ?? 8;
  if (!(Number.isInteger(maxViewers) && maxViewers > 0)) throw new RangeError(`dashboard.maxViewers must be a positive integer, got ${maxViewers}`);
  return { path, authorize: options.authorize, panels: options.panels ?? [], sampleMs, maxViewers };
}
