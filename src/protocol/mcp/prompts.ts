import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';
import { ContentBlockCodec } from './content.js';
import { PaginatedResultFieldsCodec } from './pagination.js';

/** Prompts: `prompts/list` (paged) and `prompts/get`. */

export const PromptArgumentCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({ title: t.string, description: t.string, required: t.boolean }),
]);
export type PromptArgument = t.TypeOf<typeof PromptArgumentCodec>;

export const PromptCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({ title: t.string, description: t.string, arguments: t.array(PromptArgumentCodec), _meta: JsonObjectCodec }),
]);
/** A prompt as `prompts/list` describes it: name, optional title and description, its arguments. */
export type Prompt = t.TypeOf<typeof PromptCodec>;

export const ListPromptsResultCodec = t.intersection([t.type({ prompts: t.array(PromptCodec) }), PaginatedResultFieldsCodec]);
export type ListPromptsResult = t.TypeOf<typeof ListPromptsResultCodec>;

export const GetPromptParamsCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({ arguments: t.record(t.string, t.string), _meta: JsonObjectCodec }),
]);
export type GetPromptParams = t.TypeOf<typeof GetPromptParamsCodec>;

export const RoleCodec = t.keyof({ user: null, assistant: null });
export type Role = t.TypeOf<typeof RoleCodec>;

export const PromptMessageCodec = t.type({ role: RoleCodec, content: ContentBlockCodec });
export type PromptMessage = t.TypeOf<typeof PromptMessageCodec>;

export const GetPromptResultCodec = t.intersection([
  t.type({ messages: t.array(PromptMessageCodec) }),
  t.partial({ description: t.string, resultType: t.string, _meta: JsonObjectCodec }),
]);
export type GetPromptResult = t.TypeOf<typeof GetPromptResultCodec>;

export const PromptsMethod = {
  list: 'prompts/list',
  get: 'prompts/get',
  listChanged: 'notifications/prompts/list_changed',
} as const;
