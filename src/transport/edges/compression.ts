
/**
 * permessage-deflate (RFC 7692). Off by default: it trades CPU and memory per connection for
 * bandwidth, which pays off for large, repetitive JSON over slow links and costs on a LAN.
 * Window sizes are left to the peer's offer (at most 32 KiB each way), because ws refuses a
 * handshake whose offer does not fit a fixed window instead of compressing less.
 * Decompressed size is capped by `maxMessageSize`: ws applies it to the inflated bytes and stops
 * inflating as soon as a message passes it (close 1009), so a small compressed "bomb" cannot
 * expand in memory.
 *
 * @see docs/operations.md
 */
export interface CompressionOptions {
  /** Messages shorter than this (bytes) are sent uncompressed. Default 1024. */
  readonly threshold?: number;
  /** zlib compression level, 0 (none) to 9 (smallest, slowest). Default 3: most of the gain on JSON for little CPU. */
  readonly level?: number;
  /** zlib memLevel, 1 to 9: memory of each connection's compressor on top of its 128 KiB window (8 ≈ 128 KiB, 1 ≈ 1 KiB, worse ratio). Default 8. */
  readonly memLevel?: number;
  /**
   * Let compression refer back to earlier messages of the connection: a better ratio on streams of
   * similar small messages, but secrets and attacker-chosen text then share a compression context
   * across messages (the CRIME/BREACH family of length oracles). Default false: each message is
   * compressed on its own. Memory is the same either way (ws resets its zlib streams rather than
   * freeing them).
   */
  readonly contextTakeover?: boolean;
  /** Most zlib operations running at once across all connections (ws's queue). Default 10. */
  readonly concurrencyLimit?: number;
}

export const DEFAULT_COMPRESSION: Required<CompressionOptions> = {
  threshold: 1024,
  level: 3,
  memLevel: 8,
  contextTakeover: false,
  concurrencyLimit: 10,
};

/**
 * The part of ws's `perMessageDeflate` options the transport sets, spelled out here so that the
 * package's declarations never import `ws`'s types (a consumer has no `@types/ws`).
 */
export interface DeflateSettings {
  readonly threshold: number;
  readonly concurrencyLimit: number;
  readonly serverNoContextTakeover?: boolean;
  readonly clientNoContextTakeover?: boolean;
  readonly zlibDeflateOptions: { readonly level: number; readonly memLevel: number };
}

/**
 * ws's `perMessageDeflate` option for `compression`: `false` when off. The same options work on
 * both ends: the server answers what the client offers, within these bounds.
 */
export function perMessageDeflateOptions(compression: boolean | CompressionOptions | undefined): DeflateSettings | false {
  if (compression === undefined || compression === false) return false;
  const options = { ...DEFAULT_COMPRESSION, ...(compression === true ? {} : compression) };
  range('level', options.level, 0, 9);
  range('memLevel', options.memLevel, 1, 9);
  if (!(options.threshold >= 0)) throw new RangeError(`compression.threshold must be 0 or more, got ${options.threshold}`);
  if (!(options.concurrencyLimit >= 1)) throw new RangeError(`compression.concurrencyLimit must be at least 1, got ${options.concurrencyLimit}`);
  return {
    threshold: options.threshold,
    concurrencyLimit: options.concurrencyLimit,
    // "No context takeover" is asked for when wanted and never refused when not: ws turns an
    // offer it cannot accept into a failed handshake, and compression is not worth a failed connection.
    ...(options.contextTakeover ? {} : { serverNoContextTakeover: true, clientNoContextTakeover: true }),
    zlibDeflateOptions: { level: options.level, memLevel: options.memLevel },
  };
}

function range(name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`compression.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
