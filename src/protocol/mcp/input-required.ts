import * as t from 'io-ts';
import { JsonObjectCodec, type JsonObject } from '../json-object.js';

/**
 * Multi round-trip requests of revision 2026-07-28: instead of sending the client a request, the
 * server answers `tools/call`, `prompts/get` or `resources/read` with `resultType:
 * "input_required"`, naming what it needs (`inputRequests`) and what to send back (`requestState`);
 * the client retries the request with `inputResponses` (the same keys) and the `requestState`.
 */

/** One thing the server asks of the client: a `sampling/createMessage`, `elicitation/create` or `roots/list` without an id. */
export interface InputRequest {
  readonly method: string;
  readonly params?: JsonObject;
}

/** The retry's answers, by the keys of the `inputRequests` they answer. */
export const InputResponsesCodec = t.record(t.string, JsonObjectCodec);
export type InputResponses = t.TypeOf<typeof InputResponsesCodec>;

/** What a retry may carry besides the request's own params. */
export const InputRetryParamsCodec = t.partial({ inputResponses: InputResponsesCodec, requestState: t.string });

/** The result that asks for input. At least one of `inputRequests` and `requestState` is present. */
export interface InputRequiredResult {
  readonly resultType: 'input_required';
  readonly inputRequests?: Readonly<Record<string, InputRequest>>;
  readonly requestState?: string;
}
