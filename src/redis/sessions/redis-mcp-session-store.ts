import * as E from 'fp-ts/lib/Either.js';
import { Redis } from 'ioredis';
import { parseState, type McpSessionState } from '../../mcp/server/sessions/session-state.js';
import type { McpSessionStore } from '../../mcp/server/sessions/session-store.js';

/** How a {@link RedisMcpSessionStore} reaches Redis and names its keys. */
export interface RedisMcpSessionStoreOptions {
  /** Where Redis is: `redis://[user:password@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** A connection of yours to use instead of `url` (then `close()` leaves it open). */
  readonly redis?: Redis;
  /** What every key starts with: `<prefix>:mcp:session:<id>`. Default `nexus` (as the bus's). */
  readonly prefix?: string;
  /**
   * How long one command may take before it fails, ms: while Redis is unreachable, requests naming
   * a session are answered 503 after this long instead of waiting. Default 2000.
   */
  readonly commandTimeoutMs?: number;
}

/**
 * The state of MCP's Streamable HTTP sessions in Redis, so that every MCPServer behind one address
 * serves every session: one string key per session, `<prefix>:mcp:session:<id>`, holding its state
 * as JSON, with a time to live refreshed each time a node serves it (`GETEX … PX`). A Redis that
 * lost its data (restarted without persistence, flushed, failed over) has no sessions: their next
 * request is answered 404 and the client starts a new one, as the MCP spec asks of a client.
 *
 * @example
 * const sessions = new RedisMcpSessionStore({ url: 'redis://redis:6379' });
 * const server = new MCPServer({ port: 3001, cluster: new RedisBus({ url }), sessions: { store: sessions, ttlMs: 600_000 } });
 * // … on shutdown, after server.stop():
 * await sessions.close();
 */
export class RedisMcpSessionStore implements McpSessionStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;

  constructor(options: RedisMcpSessionStoreOptions = {}) {
    this.prefix = options.prefix ?? 'nexus';
    if (this.prefix === '' || /\s/.test(this.prefix)) throw new RangeError(`prefix must be a non-empty word, got ${JSON.stringify(this.prefix)}`);
    this.owned = options.redis === undefined;
    this.redis =
      options.redis ??
      new Redis(options.url ?? 'redis://127.0.0.1:6379', {
        commandTimeout: options.commandTimeoutMs ?? 2000,
        maxRetriesPerRequest: 1,
        connectionName: `${this.prefix}:mcp-sessions`,
      });
    // Connection errors surface as rejected commands (a 503 and an entry on the server's errors$); ioredis reconnects by itself.
    if (this.owned) this.redis.on('error', () => undefined);
  }

  /** The key of one session's state. */
  keyOf(sessionId: string): string {
    return `${this.prefix}:mcp:session:${sessionId}`;
  }

  async get(sessionId: string, refreshTtlMs?: number): Promise<McpSessionState | undefined> {
    const key = this.keyOf(sessionId);
    const json = refreshTtlMs === undefined ? await this.redis.get(key) : await this.redis.getex(key, 'PX', refreshTtlMs);
    if (json === null) return undefined;
    const state = parseState(json);
    if (E.isLeft(state)) throw new Error(`${key}: ${state.left.message}`);
    return state.right;
  }

  async put(sessionId: string, state: McpSessionState, ttlMs: number): Promise<void> {
    await this.redis.set(this.keyOf(sessionId), JSON.stringify(state), 'PX', ttlMs);
  }

  async touch(sessionId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.pexpire(this.keyOf(sessionId), ttlMs)) === 1;
  }

  /** Forgets the session: its key is deleted. */
  async delete(sessionId: string): Promise<void> {
    await this.redis.del(this.keyOf(sessionId));
  }

  async deleteIfHeld(sessionId: string, holder: string): Promise<void> {
    await this.redis.eval(DELETE_IF_HELD, 1, this.keyOf(sessionId), holder);
  }

  /** Closes the connection it made (one given as `redis` is left to its owner). */
  async close(): Promise<void> {
    if (!this.owned) return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Deletes KEYS[1] if the JSON it holds names ARGV[1] as its holder; one that is not JSON is left alone. */
const DELETE_IF_HELD = `
local json = redis.call('GET', KEYS[1])
if not json then return 0 end
local ok, state = pcall(cjson.decode, json)
if ok and type(state) == 'table' and state.holder == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
