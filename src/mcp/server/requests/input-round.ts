import * as E from 'fp-ts/lib/Either.js';
import {
  InputRetryParamsCodec,
  type ClientFeatureMethodName,
  type InputRequest,
  type InputRequiredResult,
  type JsonObject,
} from '../../../protocol/index.js';
import { describeErrors } from '../../registries/describe-errors.js';
import { InputRequiredError, McpError } from '../../mcp-error.js';
import type { InputChannel } from './client-requests.js';
import { digestOf, type RequestStateSeal, type StatePayload } from './request-state.js';

/**
 * One run of a handler under revision 2026-07-28, where a server sends the client no requests.
 * Each `ask` (from `ctx.elicit`, `ctx.sample`, `ctx.listRoots`) is answered from what the client
 * sent with this request (`inputResponses`, checked against the `requestState` it echoes); the
 * first one that cannot be ends the run: the request is answered `input_required` with every
 * question asked before the handler next yielded, and the handler's pending asks reject with
 * {@link InputRequiredError}. The client retries with the answers, and the handler runs again from
 * the top, its earlier questions now answered. Nothing is kept on the server between rounds.
 */

/** What one run of a handler asks and answers. */
export interface InputRoundSettings {
  readonly seal: RequestStateSeal;
  readonly ttlMs: number;
  readonly now: () => number;
}

interface Answer {
  readonly digest: string;
  readonly response: JsonObject;
}

interface Question {
  readonly request: InputRequest;
  readonly digest: string;
}

/** The method, its params (what the request's digest covers) and who asks: what a state is bound to. */
export interface RoundRequest {
  readonly method: string;
  readonly params: JsonObject | undefined;
  readonly principal: string | null;
}

const SHORT_NAMES: Readonly<Record<ClientFeatureMethodName, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export class InputRound implements InputChannel {
  private readonly questions = new Map<string, Question>();
  private readonly used = new Map<string, Answer>();
  private readonly keys = new Set<string>();
  private readonly waiting: ((error: Error) => void)[] = [];
  private ordinal = 0;
  private ending = false;
  private resolveRequired: (result: InputRequiredResult) => void = () => undefined;
  /** Resolves with the input-required result once the handler asked something that is not answered. */
  readonly required = new Promise<InputRequiredResult>((resolve) => (this.resolveRequired = resolve));

  constructor(
    private readonly request: RoundRequest & { readonly digest: string },
    private readonly answers: ReadonlyMap<string, Answer>,
    private readonly settings: InputRoundSettings,
    /** Called as the round ends, before the pending asks reject: the handler's signal is aborted. */
    private readonly onEnd: (reason: InputRequiredError) => void,
  ) {}

  /** Whether the handler asked something the client has not answered yet. */
  get asked(): boolean {
    return this.questions.size > 0;
  }

  /** The client's answer to `method` with `params`, or a promise that ends the round. */
  ask(method: ClientFeatureMethodName, params: JsonObject | undefined, options: { readonly key?: string }): Promise<JsonObject> {
    this.ordinal += 1;
    const name = options.key ?? `${SHORT_NAMES[method]}-${this.ordinal}`;
    if (this.keys.has(name)) return Promise.reject(new TypeError(`The input key ${JSON.stringify(name)} is used twice in one request`));
    this.keys.add(name);
    const request: InputRequest = params === undefined ? { method } : { method, params };
    const digest = digestOf(request);
    const answer = this.answers.get(name);
    if (answer?.digest === digest && !this.ending) {
      this.used.set(name, answer);
      return Promise.resolve(answer.response);
    }
    if (this.ending) return Promise.reject(new InputRequiredError('This run of the handler has ended: the client was asked for input'));
    this.questions.set(name, { request, digest });
    // Questions asked in the same turn (Promise.all of several asks) go out together.
    if (this.questions.size === 1) queueMicrotask(() => this.end());
    const pending = new Promise<JsonObject>((_resolve, reject) => this.waiting.push(reject));
    pending.catch(() => undefined); // a handler that drops the promise must not cause an unhandled rejection
    return pending;
  }

  private end(): void {
    this.ending = true;
    const inputRequests: Record<string, InputRequest> = {};
    const asked: Record<string, string> = {};
    for (const [key, question] of this.questions) {
      inputRequests[key] = question.request;
      asked[key] = question.digest;
    }
    const answers: Record<string, readonly [string, JsonObject]> = {};
    for (const [key, answer] of this.used) answers[key] = [answer.digest, answer.response];
    const payload: StatePayload = {
      method: this.request.method,
      request: this.request.digest,
      principal: this.request.principal,
      expires: this.settings.now() + this.settings.ttlMs,
      answers,
      asked,
    };
    this.resolveRequired({ resultType: 'input_required', inputRequests, requestState: this.settings.seal.seal(payload) });
    const reason = new InputRequiredError('The client was asked for input; the request is answered input_required and retried with the answers');
    this.onEnd(reason);
    for (const reject of this.waiting.splice(0)) reject(reason);
  }
}

/**
 * Opens the round of a request that may be answered `input_required`: reads `inputResponses` and
 * `requestState` from its params and, when there is a state, checks it (issued by this server,
 * for this request and principal, not expired) and takes the answers it and the responses give.
 * Responses without a state, or to keys the state did not ask, are ignored: the handler asks again.
 */
export function openInputRound(request: RoundRequest, settings: InputRoundSettings, onEnd: (reason: InputRequiredError) => void): E.Either<McpError, InputRound> {
  const retry = InputRetryParamsCodec.decode(request.params ?? {});
  if (E.isLeft(retry)) return E.left(McpError.invalidParams(`Invalid params for ${request.method}: ${describeErrors(retry.left, 'params')}`));
  const { inputResponses = {}, requestState } = retry.right;
  const { _meta: _m, inputResponses: _r, requestState: _s, ...own } = request.params ?? {};
  const digest = digestOf({ method: request.method, params: own });
  const answers = new Map<string, Answer>();
  if (requestState !== undefined) {
    const opened = settings.seal.open(requestState);
    const state = E.isRight(opened) ? opened.right : undefined;
    const problem = E.isLeft(opened) ? opened.left : stateProblem(state, request, digest, settings.now());
    if (problem !== undefined || state === undefined) return E.left(McpError.invalidParams(`Invalid requestState: ${problem ?? 'it is malformed'}`));
    for (const [key, [questionDigest, response]] of Object.entries(state.answers)) answers.set(key, { digest: questionDigest, response });
    for (const [key, questionDigest] of Object.entries(state.asked)) {
      const response = inputResponses[key];
      if (response !== undefined) answers.set(key, { digest: questionDigest, response });
    }
  }
  return E.right(new InputRound({ ...request, digest }, answers, settings, onEnd));
}

function stateProblem(state: StatePayload | undefined, request: RoundRequest, digest: string, now: number): string | undefined {
  if (state === undefined) return 'it is malformed';
  if (state.method !== request.method || state.request !== digest) return 'it was issued for another request (the method and params of a retry must be those of the original)';
  if (state.principal !== request.principal) return 'it was issued to another principal';
  if (state.expires < now) return 'it has expired; send the request again without it';
  return undefined;
}
