import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';

/** `completion/complete`: suggestions for a prompt argument or a resource template variable. */

export const PromptReferenceCodec = t.intersection([t.type({ type: t.literal('ref/prompt'), name: t.string }), t.partial({ title: t.string })]);
/** Names a prompt whose argument is being completed. */
export type PromptReference = t.TypeOf<typeof PromptReferenceCodec>;

export const ResourceTemplateReferenceCodec = t.type({ type: t.literal('ref/resource'), uri: t.string });
/** Names a resource template (its template string, placeholders intact) whose variable is being completed. */
export type ResourceTemplateReference = t.TypeOf<typeof ResourceTemplateReferenceCodec>;

export const CompleteParamsCodec = t.intersection([
  t.type({
    ref: t.union([PromptReferenceCodec, ResourceTemplateReferenceCodec]),
    argument: t.type({ name: t.string, value: t.string }),
  }),
  t.partial({ context: t.partial({ arguments: t.record(t.string, t.string) }), _meta: JsonObjectCodec }),
]);
export type CompleteParams = t.TypeOf<typeof CompleteParamsCodec>;

export const CompleteResultCodec = t.intersection([
  t.type({ completion: t.intersection([t.type({ values: t.array(t.string) }), t.partial({ total: t.number, hasMore: t.boolean })]) }),
  t.partial({ resultType: t.string, _meta: JsonObjectCodec }),
]);
/** At most 100 `values`; `total` and `hasMore` say how many there are in all. */
export type CompleteResult = t.TypeOf<typeof CompleteResultCodec>;

/** The most values one `completion/complete` result may carry. */
export const MAX_COMPLETION_VALUES = 100;

export const CompletionMethod = {
  complete: 'completion/complete',
} as const;
