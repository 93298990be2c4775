import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';

/**
 * Content blocks shared by tool results and prompt messages, and the contents of resources.
 */

export const AnnotationsCodec = t.partial({
  audience: t.array(t.keyof({ user: null, assistant: null })),
  priority: t.number,
  lastModified: t.string,
});
export type Annotations = t.TypeOf<typeof AnnotationsCodec>;

const optionalBlockFields = t.partial({ annotations: AnnotationsCodec, _meta: JsonObjectCodec });

export const TextContentCodec = t.intersection([t.type({ type: t.literal('text'), text: t.string }), optionalBlockFields]);
export type TextContent = t.TypeOf<typeof TextContentCodec>;

export const ImageContentCodec = t.intersection([
  t.type({ type: t.literal('image'), data: t.string, mimeType: t.string }),
  optionalBlockFields,
]);
export type ImageContent = t.TypeOf<typeof ImageContentCodec>;

export const AudioContentCodec = t.intersection([
  t.type({ type: t.literal('audio'), data: t.string, mimeType: t.string }),
  optionalBlockFields,
]);
export type AudioContent = t.TypeOf<typeof AudioContentCodec>;

export const TextResourceContentsCodec = t.intersection([
  t.type({ uri: t.string, text: t.string }),
  t.partial({ mimeType: t.string, _meta: JsonObjectCodec }),
]);
export type TextResourceContents = t.TypeOf<typeof TextResourceContentsCodec>;

export const BlobResourceContentsCodec = t.intersection([
  t.type({ uri: t.string, blob: t.string }),
  t.partial({ mimeType: t.string, _meta: JsonObjectCodec }),
]);
export type BlobResourceContents = t.TypeOf<typeof BlobResourceContentsCodec>;

export const ResourceContentsCodec = t.union([TextResourceContentsCodec, BlobResourceContentsCodec]);
export type ResourceContents = t.TypeOf<typeof ResourceContentsCodec>;

export const EmbeddedResourceCodec = t.intersection([
  t.type({ type: t.literal('resource'), resource: ResourceContentsCodec }),
  optionalBlockFields,
]);
export type EmbeddedResource = t.TypeOf<typeof EmbeddedResourceCodec>;

export const ResourceLinkCodec = t.intersection([
  t.type({ type: t.literal('resource_link'), uri: t.string, name: t.string }),
  t.partial({ title: t.string, description: t.string, mimeType: t.string, size: t.number }),
  optionalBlockFields,
]);
export type ResourceLink = t.TypeOf<typeof ResourceLinkCodec>;

export const ContentBlockCodec = t.union([
  TextContentCodec,
  ImageContentCodec,
  AudioContentCodec,
  ResourceLinkCodec,
  EmbeddedResourceCodec,
]);
/** One piece of content in a tool result or prompt message: text, image, audio, a resource link or an embedded resource. */
export type ContentBlock = t.TypeOf<typeof ContentBlockCodec>;
