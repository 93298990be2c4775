import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';
import { ContentBlockCodec } from './content.js';
import { PaginatedResultFieldsCodec } from './pagination.js';

/** Tools: `tools/list` (paged) and `tools/call`. */

/** Hints about a tool's behaviour; clients must not trust them from untrusted servers. */
export const ToolAnnotationsCodec = t.partial({
  title: t.string,
  readOnlyHint: t.boolean,
  destructiveHint: t.boolean,
  idempotentHint: t.boolean,
  openWorldHint: t.boolean,
});
export type ToolAnnotations = t.TypeOf<typeof ToolAnnotationsCodec>;

/** A JSON Schema whose root is `type: "object"`, as MCP requires for tool input and output. */
export const ObjectSchemaCodec = t.intersection([JsonObjectCodec, t.type({ type: t.literal('object') })]);
export type ObjectSchema = t.TypeOf<typeof ObjectSchemaCodec>;

export const ToolCodec = t.intersection([
  t.type({ name: t.string, inputSchema: ObjectSchemaCodec }),
  t.partial({
    title: t.string,
    description: t.string,
    outputSchema: ObjectSchemaCodec,
    annotations: ToolAnnotationsCodec,
    _meta: JsonObjectCodec,
  }),
]);
/** A tool as `tools/list` describes it: name, JSON Schemas of its input (and output), hints. */
export type Tool = t.TypeOf<typeof ToolCodec>;

export const ListToolsResultCodec = t.intersection([t.type({ tools: t.array(ToolCodec) }), PaginatedResultFieldsCodec]);
export type ListToolsResult = t.TypeOf<typeof ListToolsResultCodec>;

export const CallToolParamsCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({ arguments: JsonObjectCodec, _meta: JsonObjectCodec }),
]);
export type CallToolParams = t.TypeOf<typeof CallToolParamsCodec>;

export const CallToolResultCodec = t.intersection([
  t.type({ content: t.array(ContentBlockCodec) }),
  t.partial({ structuredContent: JsonObjectCodec, isError: t.boolean, resultType: t.string, _meta: JsonObjectCodec }),
]);
/** A `tools/call` result: content blocks, optional structured content, and whether it is an error. */
export type CallToolResult = t.TypeOf<typeof CallToolResultCodec>;

export const ToolsMethod = {
  list: 'tools/list',
  call: 'tools/call',
  listChanged: 'notifications/tools/list_changed',
} as const;
