import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';
import { RequestIdCodec } from '../jsonrpc.js';

/**
 * MCP lifecycle messages: the `initialize` handshake of revisions up to 2025-11-25, the per-request
 * `_meta` of revision 2026-07-28, `server/discover`, ping, cancellation, progress and logging.
 */

/** Revisions served through the `initialize` handshake, newest first. */
export const LEGACY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export type LegacyProtocolVersion = (typeof LEGACY_PROTOCOL_VERSIONS)[number];
export const LATEST_LEGACY_PROTOCOL_VERSION: LegacyProtocolVersion = '2025-11-25';

/** Stateless revisions: served per request, announced by `_meta`. */
export const MODERN_PROTOCOL_VERSIONS = ['2026-07-28'] as const;
export type ModernProtocolVersion = (typeof MODERN_PROTOCOL_VERSIONS)[number];

/** Every revision the server speaks, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS];

export function isLegacyProtocolVersion(version: string): version is LegacyProtocolVersion {
  return (LEGACY_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

export function isModernProtocolVersion(version: string): version is ModernProtocolVersion {
  return (MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

/** Reserved `_meta` keys of revision 2026-07-28. */
export const MetaKey = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** The name and version of a client or a server, plus optional display fields. */
export const ImplementationCodec = t.intersection([
  t.type({ name: t.string, version: t.string }),
  t.partial({ title: t.string, description: t.string, websiteUrl: t.string }),
]);
/** Who a client or server is (`clientInfo`, `serverInfo`): name and version, optional title. */
export type Implementation = t.TypeOf<typeof ImplementationCodec>;

/** Capabilities are open objects: known keys are checked, unknown ones pass through. */
export const ClientCapabilitiesCodec = t.intersection([
  JsonObjectCodec,
  t.partial({
    experimental: JsonObjectCodec,
    roots: t.partial({ listChanged: t.boolean }),
    sampling: JsonObjectCodec,
    elicitation: JsonObjectCodec,
  }),
]);
export type ClientCapabilities = t.TypeOf<typeof ClientCapabilitiesCodec>;

export const ServerCapabilitiesCodec = t.partial({
  experimental: JsonObjectCodec,
  logging: JsonObjectCodec,
  completions: JsonObjectCodec,
  prompts: t.partial({ listChanged: t.boolean }),
  resources: t.partial({ subscribe: t.boolean, listChanged: t.boolean }),
  tools: t.partial({ listChanged: t.boolean }),
});
export type ServerCapabilities = t.TypeOf<typeof ServerCapabilitiesCodec>;

export const InitializeParamsCodec = t.type({
  protocolVersion: t.string,
  capabilities: ClientCapabilitiesCodec,
  clientInfo: ImplementationCodec,
});
export type InitializeParams = t.TypeOf<typeof InitializeParamsCodec>;

export const InitializeResultCodec = t.intersection([
  t.type({ protocolVersion: t.string, capabilities: ServerCapabilitiesCodec, serverInfo: ImplementationCodec }),
  t.partial({ instructions: t.string }),
]);
/** The server's answer to `initialize`: the revision it chose, its capabilities and info, optional instructions. */
export type InitializeResult = t.TypeOf<typeof InitializeResultCodec>;

/** Where a progress notification should be attributed: the token the requester chose. */
export const ProgressTokenCodec = t.union([t.string, t.number]);
export type ProgressToken = t.TypeOf<typeof ProgressTokenCodec>;

/** The `_meta` every request may carry: a progress token and, in 2026-07-28, the per-request keys. */
export const RequestMetaCodec = t.intersection([JsonObjectCodec, t.partial({ progressToken: ProgressTokenCodec })]);

/** Severity of a log message, RFC 5424 order, least severe first. */
export const LOGGING_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export const LoggingLevelCodec = t.keyof({
  debug: null,
  info: null,
  notice: null,
  warning: null,
  error: null,
  critical: null,
  alert: null,
  emergency: null,
});
export type LoggingLevel = t.TypeOf<typeof LoggingLevelCodec>;

/** The per-request keys of revision 2026-07-28 (`protocolVersion` and `clientCapabilities` required). */
export const ModernRequestMetaCodec = t.intersection([
  t.type({
    [MetaKey.protocolVersion]: t.string,
    [MetaKey.clientCapabilities]: ClientCapabilitiesCodec,
  }),
  t.partial({
    [MetaKey.clientInfo]: ImplementationCodec,
    [MetaKey.logLevel]: LoggingLevelCodec,
  }),
]);
export type ModernRequestMeta = t.TypeOf<typeof ModernRequestMetaCodec>;

export const SetLevelParamsCodec = t.type({ level: LoggingLevelCodec });
export type SetLevelParams = t.TypeOf<typeof SetLevelParamsCodec>;

export const LoggingMessageParamsCodec = t.intersection([
  t.type({ level: LoggingLevelCodec, data: t.unknown }),
  t.partial({ logger: t.string }),
]);
export type LoggingMessageParams = t.TypeOf<typeof LoggingMessageParamsCodec>;

export const CancelledParamsCodec = t.intersection([t.type({ requestId: RequestIdCodec }), t.partial({ reason: t.string })]);
export type CancelledParams = t.TypeOf<typeof CancelledParamsCodec>;

export const ProgressParamsCodec = t.intersection([
  t.type({ progressToken: ProgressTokenCodec, progress: t.number }),
  t.partial({ total: t.number, message: t.string }),
]);
export type ProgressParams = t.TypeOf<typeof ProgressParamsCodec>;

/** Lists and reads of revision 2026-07-28 say how long the client may cache them. */
export const CacheScopeCodec = t.keyof({ public: null, private: null });
export type CacheScope = t.TypeOf<typeof CacheScopeCodec>;

export const DiscoverResultCodec = t.intersection([
  t.type({
    supportedVersions: t.array(t.string),
    capabilities: ServerCapabilitiesCodec,
    ttlMs: t.number,
    cacheScope: CacheScopeCodec,
  }),
  t.partial({ instructions: t.string, resultType: t.string, _meta: JsonObjectCodec }),
]);
export type DiscoverResult = t.TypeOf<typeof DiscoverResultCodec>;

/** `data` of error -32022: what the server speaks and what was asked for. */
export const UnsupportedVersionDataCodec = t.type({ supported: t.array(t.string), requested: t.string });
export type UnsupportedVersionData = t.TypeOf<typeof UnsupportedVersionDataCodec>;

/** Method names of the lifecycle and utilities. */
export const LifecycleMethod = {
  initialize: 'initialize',
  initialized: 'notifications/initialized',
  ping: 'ping',
  cancelled: 'notifications/cancelled',
  progress: 'notifications/progress',
  setLevel: 'logging/setLevel',
  message: 'notifications/message',
  discover: 'server/discover',
} as const;
