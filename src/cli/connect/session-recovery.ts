import { JsonObjectCodec, jsonRpcNotification, jsonRpcRequest, LifecycleMethod, type JsonObject, type RequestId } from '../../protocol/index.js';
import type { Reporter } from '../reporter.js';
import { requestIdOf } from '../request-ids.js';

/** Ids of the bridge's own requests; their replies never reach the host. */
export const OWN_ID_PREFIX = 'nexus-mcp-connect:';

/** Most host messages held while the connection is down or the new session is being initialized. */
export const MAX_HELD_MESSAGES = 1000;

/** What becomes of a host message: sent now, held for later, or refused because too many are held already. */
export type Disposition = 'send' | 'held' | 'full';

/**
 * Carries the host's MCP session across a reconnection that the server could not resume. The host
 * initialized once and will not do it again, so the bridge remembers the host's `initialize` (once
 * the server has answered it) and, on a fresh session, repeats it under its own id, followed by
 * `notifications/initialized`. From the drop until the session is resumed or initialized again,
 * the host's messages are held here (at most {@link MAX_HELD_MESSAGES}), so none reaches a new
 * session before it is initialized. A host that never sent `initialize` (the stateless
 * 2026-07-28 revision) needs none of this: its messages wait in the transport's send queue.
 */
export class SessionRecovery {
  /** The host's `initialize` request while its reply is awaited. */
  private asked: { readonly id: RequestId; readonly params: JsonObject } | undefined;
  /** The params of the host's `initialize` that the server accepted. */
  private handshake: JsonObject | undefined;
  private hostInitialized = false;
  private counter = 0;
  /** The id of the bridge's own `initialize` in flight. */
  private replaying: string | undefined;
  /** Host messages held while the bridge re-initializes. */
  private held: JsonObject[] | undefined;

  constructor(
    private readonly send: (message: JsonObject) => void,
    private readonly reporter: Reporter,
  ) {}

  /** Sees every host message: `send` it now, or it was `held` (and is sent later), or too many are held (`full`). */
  dispose(message: JsonObject): Disposition {
    const { method, params } = message;
    const id = requestIdOf(message);
    if (method === LifecycleMethod.initialize && id !== undefined) {
      this.asked = { id, params: JsonObjectCodec.is(params) ? params : {} };
    } else if (method === LifecycleMethod.initialized) {
      this.hostInitialized = true;
    }
    if (!this.held) return 'send';
    if (this.held.length >= MAX_HELD_MESSAGES) return 'full';
    this.held.push(message);
    return 'held';
  }

  /** The connection dropped: once the host has a session to keep, its messages wait for the outcome. */
  pause(): void {
    if (this.handshake) this.held ??= [];
  }

  /** The session resumed: what was held goes out (unless a re-initialization is still under way). */
  resumed(): void {
    if (this.replaying === undefined) this.release();
  }

  /** Sees every server message; returns `false` for the replies to the bridge's own requests. */
  passes(message: JsonObject): boolean {
    const { id } = message;
    if (Object.hasOwn(message, 'method')) return true;
    if (this.asked && id === this.asked.id) {
      if (Object.hasOwn(message, 'result')) this.handshake = this.asked.params;
      this.asked = undefined;
    }
    if (typeof id !== 'string' || !id.startsWith(OWN_ID_PREFIX)) return true;
    if (id === this.replaying) this.replayed(message);
    return false;
  }

  /** Asks the server for a reply (a `ping`): a server that offers sessions says whether it resumed first. */
  probe(): void {
    this.send(jsonRpcRequest(this.nextId('probe'), LifecycleMethod.ping));
  }

  /** The server started a fresh session: initializes it the way the host did. */
  restart(): void {
    if (!this.handshake) {
      this.release();
      return;
    }
    this.replaying = this.nextId('initialize');
    this.held ??= [];
    this.send(jsonRpcRequest(this.replaying, LifecycleMethod.initialize, this.handshake));
  }

  private replayed(reply: JsonObject): void {
    this.replaying = undefined;
    if (Object.hasOwn(reply, 'result')) {
      if (this.hostInitialized) this.send(jsonRpcNotification(LifecycleMethod.initialized));
      this.reporter.info('the new session is initialized as the host initialized the old one');
    } else {
      this.reporter.warn(`re-initializing the new session failed: ${JSON.stringify(reply['error'])}`);
    }
    this.release();
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) this.send(message);
  }

  private nextId(what: string): string {
    this.counter += 1;
    return `${OWN_ID_PREFIX}${what}-${this.counter}`;
  }
}
