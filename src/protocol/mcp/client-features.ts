import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';
import { AudioContentCodec, ContentBlockCodec, ImageContentCodec, TextContentCodec } from './content.js';
import { RoleCodec } from './prompts.js';
import { ToolCodec } from './tools.js';

/**
 * What a server asks of a client: `sampling/createMessage`, `elicitation/create` (form and URL
 * modes, every primitive and enum schema of revision 2025-11-25) and `roots/list`. Sent as
 * requests up to 2025-11-25, as `inputRequests` of an input-required result in 2026-07-28.
 */

/** An integer, typed as a plain `number` (so `maxTokens: 100` needs no brand). */
const IntegerCodec = new t.Type<number, number, unknown>(
  'integer',
  (u): u is number => Number.isInteger(u),
  (u, c) => (Number.isInteger(u) ? t.success(u as number) : t.failure(u, c)),
  t.identity,
);

const optionalMeta = t.partial({ _meta: JsonObjectCodec });

/** The model asks to call a tool (sampling with tools). */
export const ToolUseContentCodec = t.intersection([t.type({ type: t.literal('tool_use'), id: t.string, name: t.string, input: JsonObjectCodec }), optionalMeta]);
/** The result of a tool the model asked for, given back to it. */
export const ToolResultContentCodec = t.intersection([
  t.type({ type: t.literal('tool_result'), toolUseId: t.string, content: t.array(ContentBlockCodec) }),
  t.partial({ structuredContent: t.unknown, isError: t.boolean, _meta: JsonObjectCodec }),
]);
export const SamplingContentCodec = t.union([TextContentCodec, ImageContentCodec, AudioContentCodec, ToolUseContentCodec, ToolResultContentCodec]);
/** One block, or several, of a sampling message. */
export type SamplingContent = t.TypeOf<typeof SamplingContentCodec>;

export const SamplingMessageCodec = t.intersection([
  t.type({ role: RoleCodec, content: t.union([SamplingContentCodec, t.array(SamplingContentCodec)]) }),
  optionalMeta,
]);
/** One message of the conversation a server asks the client's model to continue. */
export type SamplingMessage = t.TypeOf<typeof SamplingMessageCodec>;

export const ModelPreferencesCodec = t.partial({
  hints: t.array(t.partial({ name: t.string })),
  costPriority: t.number,
  speedPriority: t.number,
  intelligencePriority: t.number,
});

export const CreateMessageParamsCodec = t.intersection([
  t.type({ messages: t.array(SamplingMessageCodec), maxTokens: IntegerCodec }),
  t.partial({
    modelPreferences: ModelPreferencesCodec,
    systemPrompt: t.string,
    includeContext: t.keyof({ none: null, thisServer: null, allServers: null }),
    temperature: t.number,
    stopSequences: t.array(t.string),
    metadata: JsonObjectCodec,
    tools: t.array(ToolCodec),
    toolChoice: t.partial({ mode: t.keyof({ auto: null, required: null, none: null }) }),
    _meta: JsonObjectCodec,
  }),
]);
/** Params of `sampling/createMessage`: what `ctx.sample` sends. */
export type CreateMessageParams = t.TypeOf<typeof CreateMessageParamsCodec>;

export const CreateMessageResultCodec = t.intersection([
  t.type({ role: RoleCodec, content: t.union([SamplingContentCodec, t.array(SamplingContentCodec)]), model: t.string }),
  t.partial({ stopReason: t.string, _meta: JsonObjectCodec }),
]);
/** What the client's model answered. */
export type CreateMessageResult = t.TypeOf<typeof CreateMessageResultCodec>;

const fieldText = t.partial({ title: t.string, description: t.string });
const EnumOptionCodec = t.type({ const: t.string, title: t.string });

/** A text field; `format` asks for an email, a URI, a date or a date-time. */
export const StringFieldCodec = t.intersection([
  t.type({ type: t.literal('string') }),
  fieldText,
  t.partial({ minLength: t.number, maxLength: t.number, format: t.keyof({ email: null, uri: null, date: null, 'date-time': null }), default: t.string }),
]);
export const NumberFieldCodec = t.intersection([
  t.type({ type: t.keyof({ number: null, integer: null }) }),
  fieldText,
  t.partial({ minimum: t.number, maximum: t.number, default: t.number }),
]);
export const BooleanFieldCodec = t.intersection([t.type({ type: t.literal('boolean') }), fieldText, t.partial({ default: t.boolean })]);
/** One choice among `enum` (titled by the legacy `enumNames`, or not at all). */
export const UntitledSingleSelectCodec = t.intersection([
  t.type({ type: t.literal('string'), enum: t.array(t.string) }),
  fieldText,
  t.partial({ enumNames: t.array(t.string), default: t.string }),
]);
/** One choice among titled options. */
export const TitledSingleSelectCodec = t.intersection([t.type({ type: t.literal('string'), oneOf: t.array(EnumOptionCodec) }), fieldText, t.partial({ default: t.string })]);
const multiSelectFields = t.partial({ minItems: t.number, maxItems: t.number, default: t.array(t.string) });
/** Several choices among `items.enum`. */
export const UntitledMultiSelectCodec = t.intersection([
  t.type({ type: t.literal('array'), items: t.type({ type: t.literal('string'), enum: t.array(t.string) }) }),
  fieldText,
  multiSelectFields,
]);
/** Several choices among titled options. */
export const TitledMultiSelectCodec = t.intersection([
  t.type({ type: t.literal('array'), items: t.type({ anyOf: t.array(EnumOptionCodec) }) }),
  fieldText,
  multiSelectFields,
]);
/** One field of an elicitation form: no nesting, as the spec requires. */
export const ElicitFieldCodec = t.union([
  TitledSingleSelectCodec,
  UntitledSingleSelectCodec,
  StringFieldCodec,
  NumberFieldCodec,
  BooleanFieldCodec,
  TitledMultiSelectCodec,
  UntitledMultiSelectCodec,
]);
/** One field of an elicitation form: a string, number, integer or boolean, or a single or multiple choice. */
export type ElicitField = t.TypeOf<typeof ElicitFieldCodec>;

export const ElicitFormParamsCodec = t.intersection([
  t.type({
    message: t.string,
    requestedSchema: t.intersection([
      t.type({ type: t.literal('object'), properties: t.record(t.string, ElicitFieldCodec) }),
      t.partial({ required: t.array(t.string), $schema: t.string }),
    ]),
  }),
  t.partial({ mode: t.literal('form'), _meta: JsonObjectCodec }),
]);
/** A form for the user to fill in. */
export type ElicitFormParams = t.TypeOf<typeof ElicitFormParamsCodec>;

export const ElicitUrlParamsCodec = t.intersection([
  t.type({ mode: t.literal('url'), message: t.string, url: t.string }),
  t.partial({ elicitationId: t.string, _meta: JsonObjectCodec }),
]);
/** A URL for the user to visit (for what must not pass through the client). */
export type ElicitUrlParams = t.TypeOf<typeof ElicitUrlParamsCodec>;

export const ElicitParamsCodec = t.union([ElicitUrlParamsCodec, ElicitFormParamsCodec]);
/** Params of `elicitation/create`: what `ctx.elicit` sends. */
export type ElicitParams = t.TypeOf<typeof ElicitParamsCodec>;

/** A value the user entered in one field. */
export const ElicitValueCodec = t.union([t.string, t.number, t.boolean, t.array(t.string)]);
export const ElicitResultCodec = t.intersection([
  t.type({ action: t.keyof({ accept: null, decline: null, cancel: null }) }),
  t.partial({ content: t.record(t.string, ElicitValueCodec), _meta: JsonObjectCodec }),
]);
/** What the user did: `accept` (with `content` for a form), `decline` or `cancel`. */
export type ElicitResult = t.TypeOf<typeof ElicitResultCodec>;

export const RootCodec = t.intersection([t.type({ uri: t.string }), t.partial({ name: t.string, _meta: JsonObjectCodec })]);
/** A directory or file the client lets the server work on (`file://` URIs). */
export type Root = t.TypeOf<typeof RootCodec>;
export const ListRootsResultCodec = t.intersection([t.type({ roots: t.array(RootCodec) }), optionalMeta]);
/** The client's answer to `roots/list`. */
export type ListRootsResult = t.TypeOf<typeof ListRootsResultCodec>;

/** Methods a server sends to a client, and the client's notification about its roots. */
export const ClientFeatureMethod = {
  createMessage: 'sampling/createMessage',
  elicit: 'elicitation/create',
  listRoots: 'roots/list',
  rootsListChanged: 'notifications/roots/list_changed',
} as const;
export type ClientFeatureMethodName = (typeof ClientFeatureMethod)[Exclude<keyof typeof ClientFeatureMethod, 'rootsListChanged'>];
