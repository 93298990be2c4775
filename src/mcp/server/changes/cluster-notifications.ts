import { Subscription, type Observable } from 'rxjs';
import type { BusEnvelope, ClusterView } from '../../../transport/index.js';
import type { ChangedList, ServerChange } from './change-notifications.js';

/** The bus topics of MCP's change notifications. */
export const McpTopic = {
  /** `{ "list": "tools" | "resources" | "prompts" }`: a list changed on the publishing node. */
  listChanged: 'mcp:list_changed',
  /** `{ "uri": "…" }`: a resource was updated on the publishing node. */
  resourceUpdated: 'mcp:resource_updated',
} as const;

/** What the cluster wiring needs of the server: its raised changes, local delivery, and where to report. */
export interface ChangeHost {
  readonly changes$: Observable<ServerChange>;
  deliver(change: ServerChange): void;
  report(error: unknown, context: string): void;
}

/**
 * Change notifications across the nodes of a cluster. The node where a change is raised delivers
 * it to its own sessions and publishes it once on the bus; every other node delivers it to its
 * own sessions, and does not publish it again. So each subscribed session, wherever it is
 * connected, hears each change once. Progress, cancellation and anything tied to a request never
 * travel here: they stay with the node running the request.
 */
export class ClusterNotifications {
  private readonly wiring = new Subscription();
  private publishing = false;

  constructor(
    private readonly node: ClusterView,
    private readonly host: ChangeHost,
  ) {
    this.wiring.add(node.receive(McpTopic.listChanged).subscribe((envelope) => this.received(envelope)));
    this.wiring.add(node.receive(McpTopic.resourceUpdated).subscribe((envelope) => this.received(envelope)));
    this.wiring.add(host.changes$.subscribe((change) => this.publish(change)));
  }

  /** From now on, changes raised here are published (the bus is started with the server). */
  startPublishing(): void {
    this.publishing = true;
  }

  stop(): void {
    this.publishing = false;
    this.wiring.unsubscribe();
  }

  private publish(change: ServerChange): void {
    // Before the server starts (tools registered at boot) no session anywhere can have seen this node's lists.
    if (!this.publishing) return;
    const [topic, data] = change.kind === 'list_changed' ? [McpTopic.listChanged, { list: change.list }] : [McpTopic.resourceUpdated, { uri: change.uri }];
    this.node.publish(topic, JSON.stringify(data)).catch((error: unknown) => this.host.report(error, `cluster: publishing ${topic}`));
  }

  private received(envelope: BusEnvelope): void {
    const change = parseChange(envelope);
    if (change) this.host.deliver(change);
    else this.host.report(new Error(`A malformed ${envelope.topic} from node ${envelope.from}: ${envelope.data.slice(0, 200)}`), 'cluster: receiving');
  }
}

const LISTS: readonly string[] = ['tools', 'resources', 'prompts'] satisfies ChangedList[];

function parseChange(envelope: BusEnvelope): ServerChange | undefined {
  let data: unknown;
  try {
    data = JSON.parse(envelope.data);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { list, uri } = data as { list?: unknown; uri?: unknown };
  if (envelope.topic === McpTopic.listChanged && typeof list === 'string' && LISTS.includes(list)) return { kind: 'list_changed', list: list as ChangedList };
  if (envelope.topic === McpTopic.resourceUpdated && typeof uri === 'string') return { kind: 'resource_updated', uri };
  return undefined;
}
