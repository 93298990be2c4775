import * as E from 'fp-ts/lib/Either.js';
import {
  isLegacyProtocolVersion,
  isModernProtocolVersion,
  JsonObjectCodec,
  JsonRpcErrorCode,
  LATEST_LEGACY_PROTOCOL_VERSION,
  MetaKey,
  ModernRequestMetaCodec,
  ProgressTokenCodec,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JsonObject,
  type LegacyProtocolVersion,
  type ProgressToken,
} from '../../../protocol/index.js';
import { cutPeerText } from '../../../transport/index.js';
import { describeErrors } from '../../registries/describe-errors.js';
import { McpError } from '../../mcp-error.js';
import type { RequestEra } from '../sessions/session.js';

/**
 * Which revision serves a request. `initialize` negotiates a legacy version for the connection;
 * a request whose `_meta` names a 2026-07-28 version is served statelessly on its own terms.
 */

/** `initialize`: echo the client's version when we speak it, else offer our latest (the client decides). */
export function negotiateLegacyVersion(requested: string): LegacyProtocolVersion {
  return isLegacyProtocolVersion(requested) ? requested : LATEST_LEGACY_PROTOCOL_VERSION;
}

const LEGACY: RequestEra = { kind: 'legacy' };

/**
 * Reads the era of a request from its `params._meta`. No version key: legacy. A 2026-07-28 version:
 * modern, with its required keys checked (-32602 naming the path). A legacy version in `_meta`:
 * legacy (it still needs `initialize`). Any other version: -32022 with `{ supported, requested }`
 * (`requested` cut to 128 characters, and not repeated in the message).
 */
export function requestEra(params: JsonObject | undefined): E.Either<McpError, RequestEra> {
  const meta = params?.['_meta'];
  if (!JsonObjectCodec.is(meta) || !Object.hasOwn(meta, MetaKey.protocolVersion)) return E.right(LEGACY);
  const version = meta[MetaKey.protocolVersion];
  if (typeof version !== 'string') {
    return E.left(McpError.invalidParams(`params._meta["${MetaKey.protocolVersion}"]: expected a string, got ${typeof version}`));
  }
  if (isLegacyProtocolVersion(version)) return E.right(LEGACY);
  if (!isModernProtocolVersion(version)) {
    return E.left(
      new McpError(JsonRpcErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', {
        supported: [...SUPPORTED_PROTOCOL_VERSIONS],
        requested: cutPeerText(version),
      }),
    );
  }
  const decoded = ModernRequestMetaCodec.decode(meta);
  if (E.isLeft(decoded)) return E.left(McpError.invalidParams(`Invalid request _meta: ${describeErrors(decoded.left, 'params._meta')}`));
  const modern = decoded.right;
  return E.right({
    kind: 'modern',
    protocolVersion: version,
    clientCapabilities: modern[MetaKey.clientCapabilities],
    clientInfo: modern[MetaKey.clientInfo],
    logLevel: modern[MetaKey.logLevel],
  });
}

/** The caller's `_meta.progressToken`, when it sent a valid one. */
export function progressTokenOf(params: JsonObject | undefined): ProgressToken | undefined {
  const meta = params?.['_meta'];
  if (!JsonObjectCodec.is(meta)) return undefined;
  const token = meta['progressToken'];
  return ProgressTokenCodec.is(token) ? token : undefined;
}
