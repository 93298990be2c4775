import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { JsonObjectCodec, type JsonObject } from '../../../protocol/index.js';

/**
 * The `requestState` of a 2026-07-28 input-required result: everything the server needs to go on
 * when the client retries, carried by the client so that no server keeps anything between rounds.
 * It is signed (HMAC-SHA256), not encrypted: it holds the client's own answers and digests, nothing
 * the client may not see, and the spec requires the server to refuse state it did not issue. It
 * names the request it belongs to (method and a digest of its params), the principal it was issued
 * to, and when it expires.
 */
export interface StatePayload {
  /** The request's method. */
  readonly method: string;
  /** Digest of the request's params, without `_meta`, `inputResponses` and `requestState`. */
  readonly request: string;
  /** The authenticated principal (`authInfo.clientId`), or null. */
  readonly principal: string | null;
  /** Expiry, ms on the server's clock. */
  readonly expires: number;
  /** Answers from earlier rounds that the handler used: key → [digest of the question, answer]. */
  readonly answers: Readonly<Record<string, readonly [string, JsonObject]>>;
  /** What the last round asked: key → digest of the question. */
  readonly asked: Readonly<Record<string, string>>;
}

const StatePayloadCodec = t.type({
  method: t.string,
  request: t.string,
  principal: t.union([t.string, t.null]),
  expires: t.number,
  answers: t.record(t.string, t.tuple([t.string, JsonObjectCodec])),
  asked: t.record(t.string, t.string),
});

/** How long a `requestState` stays good when the option does not say: time for a person to answer a form. */
export const DEFAULT_REQUEST_STATE_TTL_MS = 600_000;

/** Seals and opens request state with one secret. */
export class RequestStateSeal {
  private readonly secret: Buffer;

  /** `secret`: 32 random bytes when not given, so state is good on this process only. */
  constructor(secret: string | Uint8Array | undefined) {
    if (secret !== undefined && secret.length < 16) throw new RangeError('requestState.secret must be at least 16 bytes (or characters) long');
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret);
  }

  seal(payload: StatePayload): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload of a state this server sealed, or why it is not one. */
  open(state: string): E.Either<string, StatePayload> {
    const dot = state.indexOf('.');
    const body = dot === -1 ? '' : state.slice(0, dot);
    const mac = Buffer.from(dot === -1 ? '' : state.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (body === '' || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return E.left('it was not issued by this server, or was altered');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return E.left('it is malformed');
    }
    return StatePayloadCodec.is(parsed) ? E.right(parsed) : E.left('it is malformed');
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** A short, stable digest of a JSON value: the same for the same value whatever its key order. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  // What JSON cannot carry (undefined in an array) is null there, as JSON.stringify has it.
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? 'null' : JSON.stringify(value);
}
