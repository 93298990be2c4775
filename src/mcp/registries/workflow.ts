import * as t from 'io-ts';
import type { JsonObject } from '../../protocol/index.js';
import type { HandlerContext } from '../server/requests/handler-context.js';
import { toObjectSchema } from './json-schema.js';
import type { ServerCore } from '../server/server-core.js';
import type { RegisteredTool } from './tool-registry.js';

/** A workflow: a function of the call's arguments, or an object with `run`. What it returns becomes the result text. */
export type Workflow =
  | ((args: Record<string, unknown>, ctx: HandlerContext) => unknown)
  | {
      /** Runs the workflow; a string result is sent as is, anything else as JSON. */
      run(args: Record<string, unknown>, ctx: HandlerContext): unknown;
      readonly description?: string;
    };

/** Options of `MCPServer.registerWorkflow`. */
export interface WorkflowOptions {
  /** The tool's description. Default: the workflow's own `description`, else `Runs the workflow "<name>"`. */
  readonly description?: string;
  /** Codec of the arguments. Default: any object. */
  readonly input?: t.Any;
}

/**
 * Registers a workflow as a tool named `name` and a resource `workflow://<name>` describing it (the
 * seed's original listed workflows as resources too). Removing the returned tool removes both.
 */
export function registerWorkflow(core: ServerCore, name: string, workflow: Workflow, options: WorkflowOptions): RegisteredTool {
  const run = typeof workflow === 'function' ? workflow : workflow.run.bind(workflow);
  const description = options.description ?? (typeof workflow === 'function' ? undefined : workflow.description) ?? `Runs the workflow "${name}"`;
  const input = options.input ?? t.UnknownRecord;
  const tool = core.tools.add(name, { description, input }, async (args, ctx) => {
    const result: unknown = await run(args as Record<string, unknown>, ctx);
    if (typeof result === 'string') return result;
    // JSON.stringify gives undefined for a function or a symbol: say what came back instead.
    const text = JSON.stringify(result ?? null, null, 2) as string | undefined;
    return text ?? `(${typeof result})`;
  });
  const uri = `workflow://${name}`;
  const info: JsonObject = { name, kind: 'workflow', description, tool: name, inputSchema: toObjectSchema(input, `The input codec of workflow "${name}"`) };
  const resource = core.resources.add(uri, { name, description, mimeType: 'application/json' }, () => JSON.stringify(info, null, 2));
  return {
    name,
    remove: () => {
      const removed = tool.remove();
      resource.remove();
      return removed;
    },
  };
}
