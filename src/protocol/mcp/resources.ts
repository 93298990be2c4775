import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';
import { AnnotationsCodec, ResourceContentsCodec } from './content.js';
import { PaginatedResultFieldsCodec } from './pagination.js';

/** Resources: list, templates, read, subscribe/unsubscribe and their notifications. */

export const ResourceCodec = t.intersection([
  t.type({ uri: t.string, name: t.string }),
  t.partial({
    title: t.string,
    description: t.string,
    mimeType: t.string,
    size: t.number,
    annotations: AnnotationsCodec,
    _meta: JsonObjectCodec,
  }),
]);
/** A resource as `resources/list` describes it: URI, name and optional display details. */
export type Resource = t.TypeOf<typeof ResourceCodec>;

export const ResourceTemplateCodec = t.intersection([
  t.type({ uriTemplate: t.string, name: t.string }),
  t.partial({ title: t.string, description: t.string, mimeType: t.string, annotations: AnnotationsCodec, _meta: JsonObjectCodec }),
]);
export type ResourceTemplate = t.TypeOf<typeof ResourceTemplateCodec>;

export const ListResourcesResultCodec = t.intersection([t.type({ resources: t.array(ResourceCodec) }), PaginatedResultFieldsCodec]);
export type ListResourcesResult = t.TypeOf<typeof ListResourcesResultCodec>;

export const ListResourceTemplatesResultCodec = t.intersection([
  t.type({ resourceTemplates: t.array(ResourceTemplateCodec) }),
  PaginatedResultFieldsCodec,
]);
export type ListResourceTemplatesResult = t.TypeOf<typeof ListResourceTemplatesResultCodec>;

/** Params of `resources/read`, `resources/subscribe` and `resources/unsubscribe`. */
export const ResourceUriParamsCodec = t.intersection([t.type({ uri: t.string }), t.partial({ _meta: JsonObjectCodec })]);
export type ResourceUriParams = t.TypeOf<typeof ResourceUriParamsCodec>;

export const ReadResourceResultCodec = t.intersection([
  t.type({ contents: t.array(ResourceContentsCodec) }),
  t.partial({ ttlMs: t.number, cacheScope: t.string, resultType: t.string, _meta: JsonObjectCodec }),
]);
export type ReadResourceResult = t.TypeOf<typeof ReadResourceResultCodec>;

export const ResourceUpdatedParamsCodec = t.intersection([t.type({ uri: t.string }), t.partial({ _meta: JsonObjectCodec })]);
export type ResourceUpdatedParams = t.TypeOf<typeof ResourceUpdatedParamsCodec>;

export const ResourcesMethod = {
  list: 'resources/list',
  templatesList: 'resources/templates/list',
  read: 'resources/read',
  subscribe: 'resources/subscribe',
  unsubscribe: 'resources/unsubscribe',
  listChanged: 'notifications/resources/list_changed',
  updated: 'notifications/resources/updated',
} as const;
