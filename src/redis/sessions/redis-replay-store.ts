import type { Redis } from 'ioredis';
import type { AppendResult, ReplayEntry, ReplayLimits, SharedReplayStore } from '../../transport/index.js';
import { CommandCounter } from '../redis-lua-script.js';
import type { RedisSessionKeys } from './redis-session-directory.js';
import { APPEND_FRAME } from './redis-session-scripts.js';

/**
 * The {@link SharedReplayStore} on Redis: a Stream per session (`<prefix>:session:<id>:log`) whose
 * entry ids are the frames' own numbers (`<seq>-1`), so a resume reads `XRANGE` from the client's
 * offset — never a scan. Each entry carries its data, size and time; the log is trimmed to
 * `maxMessages` and `maxBytes` as frames are appended, entries older than `maxAgeMs` do not count on
 * reading, and the key expires with its session's record. A frame is appended only while the
 * writing node holds the session (one script), so a node that was cut off cannot write after
 * another took over.
 */
export class RedisReplayStore implements SharedReplayStore {
  /** @internal Commands sent to Redis so far: a diagnostic for tests and benchmarks. */
  readonly counter = new CommandCounter();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisSessionKeys,
    private readonly limits: ReplayLimits,
  ) {}

  async append(sessionId: string, nodeId: string, entry: ReplayEntry, position: string | undefined): Promise<AppendResult> {
    const { keys, limits } = this;
    const result = await APPEND_FRAME.run(
      this.redis,
      this.counter,
      [keys.session(sessionId), keys.log(sessionId)],
      [nodeId, entry.seq, entry.data, entry.bytes, entry.at, position ?? '', limits.maxMessages, limits.maxBytes],
    );
    return result === 'moved' || result === 'missing' ? result : 'appended';
  }

  async since(sessionId: string, after: number, upTo: number, now: number): Promise<readonly ReplayEntry[] | undefined> {
    if (after >= upTo) return after === upTo ? [] : undefined;
    const wanted = upTo - after;
    this.counter.count += 1;
    const reply = (await this.redis.xrange(this.keys.log(sessionId), `${after + 1}-1`, `${upTo}-1`, 'COUNT', wanted)) as [string, string[]][];
    const entries: ReplayEntry[] = [];
    for (const [id, fields] of reply) {
      const entry = entryOf(id, fields);
      // Consecutive from the client's offset, and young enough: anything else is a gap to report.
      if (!entry || entry.seq !== after + 1 + entries.length || now - entry.at > this.limits.maxAgeMs) return undefined;
      entries.push(entry);
    }
    return entries.length === wanted ? entries : undefined;
  }
}

function entryOf(id: string, flat: readonly string[]): ReplayEntry | undefined {
  let data: string | undefined;
  let bytes = 0;
  let at = 0;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1] as string;
    if (flat[i] === 'd') data = value;
    else if (flat[i] === 'b') bytes = Number(value);
    else if (flat[i] === 'a') at = Number(value);
  }
  const seq = Number(id.split('-', 1)[0]);
  return data === undefined || !Number.isSafeInteger(seq) ? undefined : { seq, data, bytes, at };
}
