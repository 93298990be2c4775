// The envelope check between our transport and an SDK server: the SDK takes only what its strict schemas accept.
import * as E from 'fp-ts/lib/Either.js';
import {
  classifyMessage,
  jsonRpcError,
  JsonRpcErrorCode,
  RequestIdCodec,
  type JsonObject,
  type JsonRpcMessage,
} from '../../protocol/index.js';
import { quotePeerText } from '../../transport/index.js';

/** Why a message cannot go to the SDK, and the reply it gets (none for a broken response). */
export interface SdkEnvelopeProblem {
  readonly reason: string;
  readonly reply: JsonObject | undefined;
}

// The SDK's message schemas are strict: a member beyond these makes it drop the message unanswered.
const membersByKind = {
  request: new Set(['jsonrpc', 'id', 'method', 'params']),
  notification: new Set(['jsonrpc', 'method', 'params']),
  response: new Set(['jsonrpc', 'id', 'result', 'error']),
} as const;

/**
 * Checks one message against what the official SDK accepts: JSON-RPC 2.0 (see `classifyMessage`)
 * with no extra top-level members. `undefined` when the SDK can take it.
 */
export function sdkEnvelopeProblem(message: JsonObject): SdkEnvelopeProblem | undefined {
  const classified = classifyMessage(message);
  const reason = E.isLeft(classified) ? classified.left.reason : extraMemberReason(classified.right, message);
  if (reason === undefined) return undefined;
  // Answering a broken response could start an error ping-pong with the peer.
  const isResponse = !Object.hasOwn(message, 'method') && (Object.hasOwn(message, 'result') || Object.hasOwn(message, 'error'));
  const id = message['id'];
  const reply = isResponse
    ? undefined
    : { ...jsonRpcError(RequestIdCodec.is(id) ? id : undefined, JsonRpcErrorCode.InvalidRequest, `Invalid Request: ${reason}`) };
  return { reason, reply };
}

function extraMemberReason(classified: JsonRpcMessage, message: JsonObject): string | undefined {
  const allowed = membersByKind[classified.kind];
  const extra = Object.keys(message).find((key) => !allowed.has(key));
  return extra === undefined ? undefined : `unexpected member ${quotePeerText(extra)}`;
}
