/** One outbound frame of a resumable session, numbered from 1 in the order it was sent. */
export interface ReplayEntry {
  readonly seq: number;
  readonly data: string;
  readonly bytes: number;
  readonly at: number;
}

/** How much of a session's past the log keeps. Past any bound the oldest entries go. */
export interface ReplayLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

/**
 * Where resumable sessions keep the frames they sent. In memory by default; a shared store
 * (Redis, a database) can take its place so that another server process can resume a session.
 */
export interface ReplayStore {
  /** Records the frame `seq` of `session`. Sequence numbers are consecutive per session. */
  append(session: string, entry: ReplayEntry): void;
  /**
   * The frames after `seq`, in order; `undefined` when the log no longer reaches back that far
   * (a gap the client must be told about).
   */
  since(session: string, seq: number, now: number): readonly ReplayEntry[] | undefined;
  /** Forgets a session. */
  delete(session: string): void;
}

interface SessionLog {
  readonly entries: ReplayEntry[];
  bytes: number;
  /** The highest seq ever appended; a request past what was dropped is answerable from this. */
  last: number;
}

/** The default {@link ReplayStore}: one bounded array per session, trimmed on append and read. */
export class InMemoryReplayStore implements ReplayStore {
  private readonly logs = new Map<string, SessionLog>();

  constructor(private readonly limits: ReplayLimits) {}

  append(session: string, entry: ReplayEntry): void {
    let log = this.logs.get(session);
    if (!log) {
      log = { entries: [], bytes: 0, last: 0 };
      this.logs.set(session, log);
    }
    log.entries.push(entry);
    log.bytes += entry.bytes;
    log.last = entry.seq;
    this.trim(log, entry.at);
  }

  since(session: string, seq: number, now: number): readonly ReplayEntry[] | undefined {
    const log = this.logs.get(session);
    if (!log) return seq === 0 ? [] : undefined;
    this.trim(log, now);
    if (seq >= log.last) return [];
    const first = log.entries[0];
    // The frame right after `seq` must still be here, or the client would silently miss some.
    if (!first || first.seq > seq + 1) return undefined;
    return log.entries.slice(seq + 1 - first.seq);
  }

  delete(session: string): void {
    this.logs.delete(session);
  }

  /** Sessions currently held: for tests and metrics. */
  get size(): number {
    return this.logs.size;
  }

  private trim(log: SessionLog, now: number): void {
    const { maxMessages, maxBytes, maxAgeMs } = this.limits;
    let drop = 0;
    let bytes = log.bytes;
    const entries = log.entries;
    while (
      drop < entries.length &&
      (entries.length - drop > maxMessages || bytes > maxBytes || now - (entries[drop] as ReplayEntry).at > maxAgeMs)
    ) {
      bytes -= (entries[drop] as ReplayEntry).bytes;
      drop += 1;
    }
    if (drop > 0) {
      entries.splice(0, drop);
      log.bytes = bytes;
    }
  }
}
