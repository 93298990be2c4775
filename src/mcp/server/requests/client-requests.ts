import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  ClientFeatureMethod,
  CreateMessageParamsCodec,
  CreateMessageResultCodec,
  ElicitParamsCodec,
  ElicitResultCodec,
  JsonRpcErrorCode,
  ListRootsResultCodec,
  type ClientCapabilities,
  type ClientFeatureMethodName,
  type CreateMessageParams,
  type CreateMessageResult,
  type ElicitParams,
  type ElicitResult,
  type JsonObject,
  type ListRootsResult,
} from '../../../protocol/index.js';
import { describeErrors } from '../../registries/describe-errors.js';
import { ClientRequestError } from '../../mcp-error.js';
import { elicitAnswerProblem } from './elicitation-answer.js';

/** Options of one request a handler makes of the client. */
export interface ClientRequestOptions {
  /** Handshake era: how long to wait for the client's answer, ms. Default: the server's `clientRequestTimeoutMs` (60000). */
  readonly timeoutMs?: number;
  /**
   * 2026-07-28: the key of this question in the result's `inputRequests` (and of its answer in the
   * retry's `inputResponses`). Default `elicitation-<n>`, `sampling-<n>` or `roots-<n>`, `n` counting
   * the handler's requests to the client from 1. Keys must be unique within one request.
   */
  readonly key?: string;
}

/** Carries a request to the client: as a JSON-RPC request (handshake era) or as a question of an input round (2026-07-28). */
export interface InputChannel {
  ask(method: ClientFeatureMethodName, params: JsonObject | undefined, options: ClientRequestOptions): Promise<JsonObject>;
}

/** What a handler may ask of the client, checked on the way out (capabilities, params) and on the way back (the answer). */
export interface ClientRequests {
  sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult>;
  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>;
  listRoots(options?: ClientRequestOptions): Promise<ListRootsResult>;
}

/** The requests of one handler, to a client with `capabilities`, carried by `channel`. */
export function clientRequests(capabilities: ClientCapabilities, era: 'legacy' | 'modern', channel: InputChannel): ClientRequests {
  const ask = async <A>(method: ClientFeatureMethodName, params: JsonObject | undefined, codec: t.Decoder<unknown, A>, options: ClientRequestOptions): Promise<A> => {
    const answer = await channel.ask(method, params, options);
    const decoded = codec.decode(withoutNullContent(answer));
    if (E.isLeft(decoded)) throw new ClientRequestError(JsonRpcErrorCode.InvalidParams, `The client's answer to ${method} is invalid: ${describeErrors(decoded.left, 'result')}`);
    return decoded.right;
  };
  return {
    async sample(params, options = {}) {
      const checked = checkedParams(CreateMessageParamsCodec, params, 'ctx.sample');
      const needsTools = checked.tools !== undefined || checked.toolChoice !== undefined;
      requireCapability(capabilities.sampling !== undefined && (!needsTools || hasObject(capabilities.sampling, 'tools')), needsTools ? { sampling: { tools: {} } } : { sampling: {} }, ClientFeatureMethod.createMessage);
      return ask(ClientFeatureMethod.createMessage, checked, CreateMessageResultCodec, options);
    },
    async elicit(params, options = {}) {
      const checked = checkedParams(ElicitParamsCodec, params, 'ctx.elicit');
      const modes = elicitationModes(capabilities.elicitation);
      const url = checked.mode === 'url';
      requireCapability(url ? modes.url : modes.form, { elicitation: url ? { url: {} } : { form: {} } }, ClientFeatureMethod.elicit);
      // Revision 2025-11-25 asks URL elicitations for an id; 2026-07-28 has none.
      const sent = url && era === 'legacy' && checked.elicitationId === undefined ? { ...checked, elicitationId: randomUUID() } : checked;
      const result = await ask(ClientFeatureMethod.elicit, sent, ElicitResultCodec, options);
      const problem = checked.mode === 'url' ? undefined : elicitAnswerProblem(checked.requestedSchema, result);
      if (problem !== undefined) throw new ClientRequestError(JsonRpcErrorCode.InvalidParams, `The client's answer to elicitation/create does not match the requested schema: ${problem}`);
      return result;
    },
    async listRoots(options = {}) {
      requireCapability(capabilities.roots !== undefined, { roots: {} }, ClientFeatureMethod.listRoots);
      return ask(ClientFeatureMethod.listRoots, undefined, ListRootsResultCodec, options);
    },
  };
}

/** The server's own params, checked before they are sent: a mistake in them is the handler's, reported as a `TypeError`. */
function checkedParams<A>(codec: t.Decoder<unknown, A>, params: unknown, what: string): A & JsonObject {
  const decoded = codec.decode(params);
  if (E.isLeft(decoded)) throw new TypeError(`${what}: invalid params: ${describeErrors(decoded.left, 'params')}`);
  return decoded.right as A & JsonObject;
}

function requireCapability(declared: boolean, required: ClientCapabilities, method: string): void {
  if (declared) return;
  const name = Object.keys(required)[0] ?? 'a';
  throw new ClientRequestError(JsonRpcErrorCode.MissingRequiredClientCapability, `The client did not declare the ${JSON.stringify(name)} capability that ${method} needs`, {
    requiredCapabilities: required,
  });
}

/** Form mode is what an empty `elicitation: {}` declares; URL mode must be named. */
function elicitationModes(capability: JsonObject | undefined): { form: boolean; url: boolean } {
  if (capability === undefined) return { form: false, url: false };
  const form = hasObject(capability, 'form');
  const url = hasObject(capability, 'url');
  return { form: form || !url, url };
}

function hasObject(object: JsonObject, key: string): boolean {
  const value = object[key];
  return typeof value === 'object' && value !== null;
}

/** Some clients send `content: null` for a declined elicitation: the same as none. */
function withoutNullContent(answer: JsonObject): JsonObject {
  if (answer['content'] !== null) return answer;
  const { content: _null, ...rest } = answer;
  return rest;
}
