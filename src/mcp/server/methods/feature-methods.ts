import {
  CallToolParamsCodec,
  CompleteParamsCodec,
  CompletionMethod,
  GetPromptParamsCodec,
  PaginatedParamsCodec,
  PromptsMethod,
  ResourcesMethod,
  ResourceUriParamsCodec,
  ToolsMethod,
  type JsonObject,
} from '../../../protocol/index.js';
import { afterStored } from './lifecycle-methods.js';
import { defineMethod, type AnyMethodSpec } from './method-spec.js';
import type { MethodHost } from './method-host.js';
import type { Page } from '../../registries/paging.js';
import type { ToolCallResult } from '../../registries/tool-registry.js';
import { callTool, type ToolCallWrapper } from './tool-call-wrapper.js';

/**
 * tools/*, resources/*, prompts/* and completion/complete: thin adapters from params codecs to the
 * registries. `wrapToolCall`: the server's option of that name, run around every tools/call.
 */
// A flat method table: one entry per method, nothing to split.
// eslint-disable-next-line max-lines-per-function
export function featureMethods(host: MethodHost, wrapToolCall?: ToolCallWrapper): [string, AnyMethodSpec][] {
  const listed = <T>(key: string, page: Page<T>): JsonObject =>
    page.nextCursor === undefined ? { [key]: page.items } : { [key]: page.items, nextCursor: page.nextCursor };
  return [
    [
      ToolsMethod.list,
      defineMethod({
        params: PaginatedParamsCodec,
        eras: 'both',
        cacheable: true,
        handle: ({ params }) => listed('tools', host.tools.list(params.cursor, host.pageSize)),
      }),
    ],
    [
      ToolsMethod.call,
      defineMethod({
        params: CallToolParamsCodec,
        eras: 'both',
        inputRequired: true,
        handle: ({ params, session, id, ctx }) => {
          const started = host.now();
          const recorded = ({ result, outcome }: ToolCallResult): JsonObject => {
            host.recordToolCall({ sessionId: session.id, requestId: id, name: params.name, durationMs: host.now() - started, outcome });
            return result;
          };
          // A tool that answers at once is answered at once (unless wrapped): no promise, no microtask.
          const called = callTool(host.tools, { params, ctx }, wrapToolCall);
          return called instanceof Promise ? called.then(recorded) : recorded(called);
        },
      }),
    ],
    [
      ResourcesMethod.list,
      defineMethod({
        params: PaginatedParamsCodec,
        eras: 'both',
        cacheable: true,
        handle: ({ params }) => listed('resources', host.resources.list(params.cursor, host.pageSize)),
      }),
    ],
    [
      ResourcesMethod.templatesList,
      defineMethod({
        params: PaginatedParamsCodec,
        eras: 'both',
        cacheable: true,
        handle: ({ params }) => listed('resourceTemplates', host.resources.listTemplates(params.cursor, host.pageSize)),
      }),
    ],
    [
      ResourcesMethod.read,
      defineMethod({
        params: ResourceUriParamsCodec,
        eras: 'both',
        cacheable: true,
        inputRequired: true,
        handle: async ({ params, ctx }) => ({ contents: await host.resources.read(params.uri, ctx) }),
      }),
    ],
    [
      ResourcesMethod.subscribe,
      defineMethod({
        params: ResourceUriParamsCodec,
        eras: 'legacy',
        handle: ({ params, session }) => {
          session.resourceSubscriptions.add(params.uri);
          return afterStored(host, session, {});
        },
      }),
    ],
    [
      ResourcesMethod.unsubscribe,
      defineMethod({
        params: ResourceUriParamsCodec,
        eras: 'legacy',
        handle: ({ params, session }) => {
          session.resourceSubscriptions.delete(params.uri);
          return afterStored(host, session, {});
        },
      }),
    ],
    [
      PromptsMethod.list,
      defineMethod({
        params: PaginatedParamsCodec,
        eras: 'both',
        cacheable: true,
        handle: ({ params }) => listed('prompts', host.prompts.list(params.cursor, host.pageSize)),
      }),
    ],
    [
      PromptsMethod.get,
      defineMethod({
        params: GetPromptParamsCodec,
        eras: 'both',
        inputRequired: true,
        handle: ({ params, ctx }) => host.prompts.get(params.name, params.arguments, ctx),
      }),
    ],
    [
      CompletionMethod.complete,
      defineMethod({
        params: CompleteParamsCodec,
        eras: 'both',
        handle: ({ params, ctx }) => host.completeArgument(params, ctx),
      }),
    ],
  ];
}
