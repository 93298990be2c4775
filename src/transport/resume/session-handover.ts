import { Subscription } from 'rxjs';
import type { BusEnvelope } from '../cluster/cluster-bus.js';
import { ClusterError, type TransportError } from '../errors.js';
import type { ClusterView } from '../server/cluster-link.js';
import type { Connection } from '../server/clients/connection.js';
import { parseFields, ResumeTopic } from './catch-up.js';

/** What the handover needs of the node's sessions. */
export interface HandoverHost {
  /** The client of this node whose session has this id, if any. */
  holding(sessionId: string): Connection | undefined;
  /** Pings the client's link: whether it answered within the live check. */
  answersPing(client: Connection): Promise<boolean>;
  /** Ends the session here without ending it elsewhere, once its log is complete. */
  letGo(client: Connection): Promise<void>;
  report(error: TransportError): void;
}

/**
 * The side of a node whose session another node wants to take over: on `resume:check`, a link that
 * looks open is pinged, and an answer keeps the session here (`resume:live` to the asker);
 * otherwise the session's log is completed, the session let go quietly (no close frame: its
 * client is already elsewhere), and `resume:released` published — on the bus, where its position
 * tells the taker which of this node's broadcasts its log already holds. On `resume:drop` (the taker
 * heard nothing in time), the session is let go without a word.
 */
export class SessionHandover {
  constructor(
    private readonly view: ClusterView,
    private readonly host: HandoverHost,
  ) {}

  /** Listens to the topics; unsubscribe to stop. */
  start(): Subscription {
    const subscription = new Subscription();
    subscription.add(this.view.receive(ResumeTopic.check).subscribe((envelope) => this.settle(this.check(envelope), 'answer a resume check')));
    subscription.add(this.view.receive(ResumeTopic.drop).subscribe((envelope) => this.settle(this.drop(envelope), 'let a session go')));
    return subscription;
  }

  private async check(envelope: BusEnvelope): Promise<void> {
    const { sessionId, nonce } = parseFields(envelope.data);
    if (sessionId === undefined || nonce === undefined) return;
    const client = this.host.holding(sessionId);
    if (client?.link.isOpen) {
      const link = client.link;
      if (await this.host.answersPing(client)) {
        await this.view.sendToNode(envelope.from, ResumeTopic.live, JSON.stringify({ nonce }));
        return;
      }
      // Silent: a dead connection this node had not noticed yet.
      link.terminate();
    }
    if (client && !client.isGone) await this.host.letGo(client);
    await this.view.publish(ResumeTopic.released, JSON.stringify({ nonce }));
  }

  private async drop(envelope: BusEnvelope): Promise<void> {
    const { sessionId } = parseFields(envelope.data);
    const client = sessionId === undefined ? undefined : this.host.holding(sessionId);
    if (client && !client.isGone) await this.host.letGo(client);
  }

  private settle(work: Promise<void>, what: string): void {
    work.catch((error: unknown) => {
      const cause = error instanceof Error ? error : new Error(String(error));
      this.host.report(new ClusterError(`Could not ${what} for another node: ${cause.message}`, { cause }));
    });
  }
}
