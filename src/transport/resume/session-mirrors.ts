import { ClusterError, type TransportError } from '../errors.js';
import type { ReplayEntry } from './replay-log.js';
import type { SharedReplayStore } from './session-directory.js';
import type { ResumableSession, SessionMirror } from './session-resumption.js';

/**
 * Copies what each session of this node logs to the shared replay log, so that another node can
 * replay it. The copies leave in the order they were logged (one connection to the store keeps
 * them in order); a failed copy is reported, never silent: the next take-over of that session finds
 * a gap and tells its client `expired`.
 */
export class SessionMirrors {
  constructor(
    private readonly log: SharedReplayStore,
    private readonly nodeId: () => string,
    private readonly report: (error: TransportError) => void,
    /** Another node holds the session now: this node should let it go. */
    private readonly moved: (session: ResumableSession) => void,
  ) {}

  /** The {@link SessionMirror} sessions of this node use. */
  readonly mirror: SessionMirror = (session: ResumableSession, entry: ReplayEntry, position: string | undefined): void => {
    const copied = this.log.append(session.id, this.nodeId(), entry, position).then(
      (result) => {
        if (result === 'moved') this.moved(session);
        // No record (forgotten, or the store lost its data): later frames are not worth copying.
        if (result === 'missing' && session.mirror === this.mirror) session.mirror = undefined;
      },
      (error: unknown) => {
        const cause = error instanceof Error ? error : new Error(String(error));
        this.report(new ClusterError(`Could not copy frame ${entry.seq} of a session to the shared replay log: ${cause.message}`, { cause }));
      },
    );
    session.mirrored = copied;
  };

  /** Resolves once every copy of `session` made so far has settled, including those made while waiting. */
  async settled(session: ResumableSession): Promise<void> {
    let last: Promise<unknown>;
    do {
      last = session.mirrored;
      await last;
    } while (session.mirrored !== last);
  }
}
