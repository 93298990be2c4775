import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NewSession, SessionDirectory, SessionLookup, SessionRecord, SessionState } from '../../transport/index.js';
import { CommandCounter } from '../redis-lua-script.js';
import { CLAIM_SESSION, FORGET_SESSION, LOOKUP_SESSION, MARK_SESSION, OPEN_SESSION, TOUCH_SESSIONS } from './redis-session-scripts.js';

/** The keys of shared sessions under one prefix. */
export interface RedisSessionKeys {
  readonly epoch: string;
  /** `<prefix>:session:` — a session's hash is this and its id. */
  readonly sessionPrefix: string;
  /** `<prefix>:token:` — a token's key is this and the token. */
  readonly tokenPrefix: string;
  /** The hash of the session `id`. */
  session(id: string): string;
  /** The session's replay log: a Stream with ids `<seq>-1`. */
  log(id: string): string;
  /** The key of a token, naming its session. */
  token(token: string): string;
}

/** The keys shared sessions use under `prefix` (the bus's prefix: they share its epoch). */
export function redisSessionKeys(prefix: string): RedisSessionKeys {
  return {
    epoch: `${prefix}:epoch`,
    sessionPrefix: `${prefix}:session:`,
    tokenPrefix: `${prefix}:token:`,
    session: (id) => `${prefix}:session:${id}`,
    log: (id) => `${prefix}:session:${id}:log`,
    token: (token) => `${prefix}:token:${token}`,
  };
}

/**
 * The {@link SessionDirectory} on Redis: a hash per session (`<prefix>:session:<id>`: owner,
 * client id, node, state, sent count, last bus position, epoch), a key per current token
 * (`<prefix>:token:<token>` → session id), each with a TTL that the holding node renews, so the
 * sessions of a node that died vanish. A token is spent and its successor stored in one script.
 * The epoch is the bus's (`<prefix>:epoch`): a session recorded under another one was lost with
 * Redis's data, and its client is told `expired`.
 */
export class RedisSessionDirectory implements SessionDirectory {
  /** @internal Commands sent to Redis so far: a diagnostic for tests and benchmarks. */
  readonly counter = new CommandCounter();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisSessionKeys,
  ) {}

  async open(session: NewSession, token: string, ttlMs: number): Promise<void> {
    const { keys } = this;
    await OPEN_SESSION.run(
      this.redis,
      this.counter,
      [keys.session(session.id), keys.token(token), keys.epoch],
      [session.id, session.clientId, JSON.stringify(session.owner ?? null), session.nodeId, session.position ?? '', Math.ceil(ttlMs), randomUUID(), token],
    );
  }

  async lookup(token: string): Promise<SessionLookup> {
    const { keys } = this;
    const reply = (await LOOKUP_SESSION.run(this.redis, this.counter, [keys.token(token), keys.epoch], [keys.sessionPrefix])) as [number, string[]?];
    if (reply[0] === 2) return { kind: 'expired', reason: 'Session expired: Redis lost the session store (its epoch changed)' };
    const record = reply[0] === 1 && reply[1] ? recordOf(reply[1]) : undefined;
    return record ? { kind: 'found', record } : { kind: 'unknown' };
  }

  async claim(token: string, sessionId: string, next: string, nodeId: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const { keys } = this;
    const reply = await CLAIM_SESSION.run(
      this.redis,
      this.counter,
      [keys.token(token), keys.session(sessionId), keys.token(next), keys.log(sessionId)],
      [sessionId, nodeId, Math.ceil(ttlMs), next],
    );
    return Array.isArray(reply) ? recordOf(reply as string[]) : undefined;
  }

  async mark(sessionId: string, state: SessionState, ttlMs: number): Promise<void> {
    const { keys } = this;
    await MARK_SESSION.run(this.redis, this.counter, [keys.session(sessionId), keys.log(sessionId)], [state, Math.ceil(ttlMs), keys.tokenPrefix]);
  }

  async touch(sessionIds: readonly string[], ttlMs: number): Promise<void> {
    const { keys } = this;
    // Batches keep one script's run short on a node with many sessions.
    for (let at = 0; at < sessionIds.length; at += 500) {
      await TOUCH_SESSIONS.run(this.redis, this.counter, [], [keys.sessionPrefix, keys.tokenPrefix, Math.ceil(ttlMs), ...sessionIds.slice(at, at + 500)]);
    }
  }

  async forget(sessionId: string, nodeId: string): Promise<void> {
    const { keys } = this;
    await FORGET_SESSION.run(this.redis, this.counter, [keys.session(sessionId), keys.log(sessionId)], [nodeId, keys.tokenPrefix]);
  }
}

/** A session's hash fields (a flat `[name, value, …]` list) as a record; `undefined` if malformed. */
function recordOf(flat: readonly string[]): SessionRecord | undefined {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
  const id = fields.get('id');
  const clientId = fields.get('clientId');
  const nodeId = fields.get('node');
  const epoch = fields.get('epoch');
  if (id === undefined || clientId === undefined || nodeId === undefined || epoch === undefined) return undefined;
  const owner = JSON.parse(fields.get('owner') ?? 'null') as unknown;
  return {
    id,
    clientId,
    owner: typeof owner === 'string' ? owner : undefined,
    nodeId,
    state: fields.get('state') === 'held' ? 'held' : 'attached',
    sent: Number(fields.get('sent') ?? 0),
    position: fields.get('pos'),
    epoch,
  };
}
