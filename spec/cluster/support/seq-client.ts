/**
 * A client of the test cluster that keeps what the fault scenarios judge: every numbered broadcast
 * it received, in order of arrival (duplicates kept, so they show), and every loss it was told of
 * (SessionExpiredError on its errors$). Connects through the balancer with resumption on, as users'
 * clients do.
 */
import type { JsonObject } from '../../../src/protocol/index.js';
import { SessionExpiredError, WebSocketClientTransport, type ClientTransportOptions } from '../../../src/transport/index.js';
import { track } from '../../support/resources.js';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { SEQ_EVENT } from './node-protocol.js';

export class SeqClient {
  /** Numbered messages in the order they arrived. */
  readonly received: number[] = [];
  /** When each SessionExpiredError was reported (ms since epoch). */
  readonly expiredAt: number[] = [];
  /** Sessions resumed after a drop. */
  resumed = 0;
  /** Messages that were not numbered broadcasts (direct sends, say). */
  readonly other: JsonObject[] = [];
  /** Where the client was when it last asked (`whoami`). */
  nodeId = '';
  clientId = '';

  private constructor(readonly transport: WebSocketClientTransport) {
    transport.messages$.subscribe((message) => {
      if (message['event'] === SEQ_EVENT && typeof message['seq'] === 'number') this.received.push(message['seq']);
      else this.other.push(message);
    });
    transport.errors$.subscribe((error) => {
      if (error instanceof SessionExpiredError) this.expiredAt.push(Date.now());
    });
    transport.session$.subscribe((outcome) => {
      if (outcome.resumed) this.resumed += 1;
    });
  }

  /** Connects (through `url`, the balancer) and waits for the first open. */
  static async connect(url: string, options: ClientTransportOptions = {}): Promise<SeqClient> {
    const transport = new WebSocketClientTransport(url, {
      heartbeat: { interval: 1000, timeout: 800 },
      reconnect: { initialDelay: 50, maxDelay: 500, maxRetries: 40 },
      ...options,
    });
    const client = track(new SeqClient(transport), (c) => c.transport.stop());
    await transport.start();
    return client;
  }

  /** Asks the node it is connected to for its name and the client's id. */
  async whoami(timeoutMs = 10_000): Promise<{ nodeId: string; clientId: string }> {
    const answer = firstValueFrom(
      this.transport.messages$.pipe(
        filter((message) => message['type'] === 'whoami'),
        timeout({ first: timeoutMs, with: () => Promise.reject(new Error(`no whoami answer within ${timeoutMs} ms`)) }),
      ),
    );
    await this.transport.sendMessage({ type: 'whoami' });
    const { nodeId, clientId } = await answer;
    if (typeof nodeId !== 'string' || typeof clientId !== 'string') throw new Error('a whoami answer names a node and a client');
    this.nodeId = nodeId;
    this.clientId = clientId;
    return { nodeId, clientId };
  }

  /** Whether the client was told it lost messages. */
  get toldOfLoss(): boolean {
    return this.expiredAt.length > 0;
  }

  /** The highest numbered message received so far (0 when none). */
  get last(): number {
    return this.received.reduce((max, seq) => Math.max(max, seq), 0);
  }
}
