import { Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { InboxOverflowError, TransportStoppedError } from '../../errors.js';
import { Inbox } from '../../flow/inbox.js';
import type { ClientConnection } from '../clients/client-connection.js';

/** A message as it arrived: who sent it and what it said. */
export interface ClientMessage {
  readonly client: ClientConnection;
  readonly message: JsonObject;
}

/**
 * The accepted messages of a server: published on `messages$`, and kept for `receiveMessage()` in
 * an inbox made on its first call (a server that never calls it buffers nothing).
 */
export class ReceivedMessages {
  private readonly subject = new Subject<ClientMessage>();
  private inbox: Inbox<ClientMessage> | undefined;
  /** Every accepted message from every client (hot). */
  readonly messages$: Observable<ClientMessage> = this.subject.asObservable();

  constructor(
    private readonly size: number,
    private readonly scheduler: SchedulerLike,
    /** Where a dropped message is reported, with its client's id. */
    private readonly report: (error: InboxOverflowError, clientId: string) => void,
    /** Whether the server has begun stopping: an inbox made then is closed at once. */
    private readonly isStopping: () => boolean,
  ) {}

  publish(message: ClientMessage): void {
    this.subject.next(message);
    this.inbox?.push(message);
  }

  /** The next message, kept up to `size` (oldest dropped first); see `receiveMessage()`. */
  take(timeoutMs?: number): Promise<ClientMessage> {
    if (!this.inbox) {
      const overflow = new InboxOverflowError(`receiveMessage() buffer is full (${this.size}); dropping the oldest messages`);
      this.inbox = new Inbox<ClientMessage>(this.size, ({ client }) => this.report(overflow, client.id), this.scheduler);
      if (this.isStopping()) this.inbox.close(new TransportStoppedError('The server transport is stopped'));
    }
    return this.inbox.take(timeoutMs);
  }

  /** The server stopped: a waiting `take()` rejects, and `messages$` completes. */
  close(): void {
    this.inbox?.close(new TransportStoppedError('The server transport is stopped'));
    this.subject.complete();
  }
}
