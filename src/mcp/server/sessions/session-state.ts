import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ClientCapabilitiesCodec, ImplementationCodec, LoggingLevelCodec } from '../../../protocol/index.js';
import { describeErrors } from '../../registries/describe-errors.js';
import type { McpSession } from './session.js';

/**
 * What a 2025-11-25 session is, apart from its connection: what any node needs to serve its next
 * request. Plain JSON, so that a store can keep it anywhere.
 */
export const McpSessionStateCodec = t.intersection([
  t.type({
    /** The revision `initialize` agreed. */
    protocolVersion: t.string,
    clientInfo: ImplementationCodec,
    clientCapabilities: ClientCapabilitiesCodec,
    /** Whether `notifications/initialized` has come. */
    initialized: t.boolean,
    /** The URIs of `resources/subscribe`. */
    resourceSubscriptions: t.array(t.string),
  }),
  t.partial({
    /** `logging/setLevel`; absent: every level is sent. */
    logLevel: LoggingLevelCodec,
    /** The principal that opened the session (the `authenticate` hook's `clientId`): only they may use it. */
    owner: t.string,
    /** A WebSocket session's: the node that holds it now; only that node deletes it (see connection-sessions.ts). */
    holder: t.string,
  }),
]);
/**
 * What a 2025-11-25 session keeps between requests, as a store holds it: protocol version, client
 * info and capabilities, log level, resource subscriptions, whether it is initialized, its owner.
 */
export type McpSessionState = t.TypeOf<typeof McpSessionStateCodec>;

/** The state of an initialized session, for a store; `undefined` before `initialize`. */
export function snapshotOf(session: McpSession): McpSessionState | undefined {
  if (session.handshake === 'new' || session.protocolVersion === undefined || session.clientInfo === undefined) return undefined;
  const state: McpSessionState = {
    protocolVersion: session.protocolVersion,
    clientInfo: session.clientInfo,
    clientCapabilities: session.clientCapabilities,
    initialized: session.handshake === 'ready',
    resourceSubscriptions: [...session.resourceSubscriptions],
  };
  if (session.logLevel !== undefined) state.logLevel = session.logLevel;
  const owner = session.authInfo?.clientId;
  if (owner !== undefined) state.owner = owner;
  return state;
}

/**
 * Makes `session` what `state` says (a node serving a session another node opened, or catching up
 * with a change made on another node). The handshake never goes back: a `notifications/initialized`
 * this node saw counts even if the store has not heard of it yet.
 */
export function applyState(session: McpSession, state: McpSessionState): void {
  session.protocolVersion = state.protocolVersion;
  session.clientInfo = state.clientInfo;
  session.clientCapabilities = state.clientCapabilities;
  session.logLevel = state.logLevel;
  if (state.initialized || session.handshake === 'ready') session.handshake = 'ready';
  else session.handshake = 'initialized';
  session.resourceSubscriptions.clear();
  for (const uri of state.resourceSubscriptions) session.resourceSubscriptions.add(uri);
}

/** Reads a state back from its JSON; an error naming what is wrong when it is not one. */
export function parseState(json: string): E.Either<Error, McpSessionState> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return E.left(new Error(`A stored MCP session is not JSON: ${(error as Error).message}`));
  }
  const decoded = McpSessionStateCodec.decode(value);
  return E.isRight(decoded) ? decoded : E.left(new Error(`A stored MCP session is malformed: ${describeErrors(decoded.left, 'state')}`));
}
