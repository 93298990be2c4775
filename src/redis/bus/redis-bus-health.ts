import { BehaviorSubject, type Observable, type SchedulerLike } from 'rxjs';
import type { BusStatus } from '../../transport/cluster/cluster-bus.js';

/**
 * The bus's condition as one small state machine: up, or down since some time, with whether
 * anything may have been missed meanwhile. `status$` replays the latest condition.
 */
export class BusHealth {
  private readonly subject = new BehaviorSubject<BusStatus>({ kind: 'connected' });
  private down: { since: number; missed: boolean } | undefined;
  readonly status$: Observable<BusStatus> = this.subject.asObservable();

  constructor(private readonly scheduler: SchedulerLike) {}

  get isDown(): boolean {
    return this.down !== undefined;
  }

  /** The connection is lost (or Redis stopped answering): reported once per loss. */
  lost(error: Error): void {
    if (this.down) return;
    this.down = { since: this.scheduler.now(), missed: false };
    this.subject.next({ kind: 'disconnected', error });
  }

  /** What other nodes published during this loss may not have reached this node. */
  missed(): void {
    if (this.down) this.down.missed = true;
  }

  /** Back, subscribed, and the log checked: reports the loss's outcome. */
  recovered(): void {
    const down = this.down;
    if (!down) return;
    this.down = undefined;
    this.subject.next({ kind: 'resubscribed', since: down.since, missed: down.missed });
  }

  /** Redis lost its data while the connection stayed up (FLUSHALL, say): a gap, reported at once. */
  lostDataWhileUp(): void {
    if (this.down) {
      this.down.missed = true;
      return;
    }
    this.subject.next({ kind: 'resubscribed', since: this.scheduler.now(), missed: true });
  }

  complete(): void {
    this.subject.complete();
  }
}
