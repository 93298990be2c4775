import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  GetPromptResultCodec,
  JsonRpcErrorCode,
  PromptMessageCodec,
  type GetPromptResult,
  type JsonObject,
  type Prompt,
  type PromptArgument,
  type PromptMessage,
} from '../../protocol/index.js';
import { cutPeerText } from '../../transport/index.js';
import { describeErrors } from './describe-errors.js';
import type { HandlerContext } from '../server/requests/handler-context.js';
import { toObjectSchema } from './json-schema.js';
import { InputRequiredError, McpError } from '../mcp-error.js';
import { checkCompleters, type Completers } from './completions.js';
import { paginate, type Page } from './paging.js';
import { Registry } from './registry.js';

/** How a prompt is described; `args` is an io-ts codec of string fields (prompt arguments are strings). */
export interface PromptDefinition<A extends t.Any> {
  readonly title?: string;
  readonly description?: string;
  /** Decodes the arguments; its fields (required from `t.type`, optional from `t.partial`) are listed. */
  readonly args?: A;
  /**
   * Completers by argument name, for `completion/complete`: each suggests values from what the user
   * has typed. Every name must be one of the prompt's arguments (checked at registration).
   */
  readonly complete?: Completers<keyof t.TypeOf<A> & string>;
  readonly _meta?: JsonObject;
}

/** What a prompt returns: one user message of text, the messages, or `{ description?, messages }`. */
export type PromptReply = string | PromptMessage[] | { readonly description?: string; readonly messages: PromptMessage[] };

/** Renders a prompt from its decoded arguments. */
export type PromptHandler<A extends t.Any> = (args: t.TypeOf<A>, ctx: HandlerContext) => PromptReply | Promise<PromptReply>;

/** A registered prompt; `remove()` takes it away (and tells listening clients). */
export interface RegisteredPrompt {
  readonly name: string;
  /** Removes this prompt (not a later one registered under its name); returns whether it did. */
  remove(): boolean;
}

interface PromptEntry {
  readonly listing: Prompt;
  readonly args: t.Any;
  readonly completers: Completers;
  readonly get: (args: unknown, ctx: HandlerContext) => PromptReply | Promise<PromptReply>;
}

const MessagesCodec = t.array(PromptMessageCodec);

/** The server's prompts: listing (sorted by name, paged) and `prompts/get`. */
export class PromptRegistry {
  private readonly prompts = new Registry<PromptEntry>('prompt');
  readonly changed$ = this.prompts.changed$;

  constructor(private readonly onFailure: (error: unknown, context: string) => void) {}

  add(name: string, definition: PromptDefinition<t.Any>, get: (args: unknown, ctx: HandlerContext) => PromptReply | Promise<PromptReply>): RegisteredPrompt {
    const args = definition.args ?? t.type({});
    const listing: Prompt = { name };
    if (definition.title !== undefined) listing.title = definition.title;
    if (definition.description !== undefined) listing.description = definition.description;
    const promptArguments = argumentsOf(args, name);
    if (promptArguments.length > 0) listing.arguments = promptArguments;
    if (definition._meta !== undefined) listing._meta = definition._meta;
    const names = promptArguments.map((argument) => argument.name);
    const completers = checkCompleters(definition.complete, names, `Prompt "${name}"`, 'arguments');
    const entry: PromptEntry = { listing, args, completers, get };
    this.prompts.add(name, entry);
    return { name, remove: () => this.prompts.get(name) === entry && this.prompts.remove(name) };
  }

  remove(name: string): boolean {
    return this.prompts.remove(name);
  }

  /** The completers of a prompt's arguments; `undefined` for an unknown prompt. */
  promptCompleters(name: string): Completers | undefined {
    return this.prompts.get(name)?.completers;
  }

  list(cursor: string | undefined, pageSize: number): Page<Prompt> {
    return paginate(
      [...this.prompts.values()].map((entry) => entry.listing),
      (prompt) => prompt.name,
      cursor,
      pageSize,
    );
  }

  /** Renders a prompt. Unknown prompt (its name in `data.name`, cut) and invalid arguments are -32602, as the spec asks. */
  async get(name: string, rawArguments: Record<string, string> | undefined, ctx: HandlerContext): Promise<GetPromptResult> {
    const entry = this.prompts.get(name);
    if (!entry) throw McpError.invalidParams('Unknown prompt', { name: cutPeerText(name) });
    const args = entry.args.decode(rawArguments ?? {});
    if (E.isLeft(args)) throw McpError.invalidParams(`Invalid arguments for prompt "${name}": ${describeErrors(args.left, 'arguments')}`);
    let reply: PromptReply;
    try {
      reply = await entry.get(args.right, ctx);
    } catch (error) {
      // InputRequiredError: the request is answered input_required; nothing went wrong.
      if (error instanceof McpError || error instanceof InputRequiredError) throw error;
      this.onFailure(error, `prompt "${name}"`);
      throw new McpError(JsonRpcErrorCode.InternalError, `Prompt "${name}" failed with an internal error`);
    }
    return this.normalise(name, entry, reply);
  }

  private normalise(name: string, entry: PromptEntry, reply: PromptReply): GetPromptResult {
    if (typeof reply === 'string') return withDescription(entry, [{ role: 'user', content: { type: 'text', text: reply } }]);
    if (Array.isArray(reply)) {
      const messages = MessagesCodec.decode(reply);
      if (E.isRight(messages)) return withDescription(entry, messages.right);
      return this.malformed(name, describeErrors(messages.left, 'messages'));
    }
    const result = GetPromptResultCodec.decode(reply);
    if (E.isRight(result)) return result.right.description === undefined ? withDescription(entry, result.right.messages) : result.right;
    return this.malformed(name, describeErrors(result.left, 'result'));
  }

  private malformed(name: string, problem: string): never {
    this.onFailure(new Error(`Prompt "${name}" returned a malformed reply: ${problem}`), `prompt "${name}"`);
    throw new McpError(JsonRpcErrorCode.InternalError, `Prompt "${name}" failed with an internal error`);
  }

  complete(): void {
    this.prompts.complete();
  }
}

function withDescription(entry: PromptEntry, messages: PromptMessage[]): GetPromptResult {
  const description = entry.listing.description;
  return description === undefined ? { messages } : { description, messages };
}

/** The argument list of `prompts/list`, read off the codec's JSON Schema. */
function argumentsOf(codec: t.Any, name: string): PromptArgument[] {
  const schema = toObjectSchema(codec, `The args codec of prompt "${name}"`);
  const properties = (schema['properties'] ?? {}) as Record<string, { description?: unknown }>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(properties).map(([argument, property]) => {
    const entry: PromptArgument = { name: argument, required: required.has(argument) };
    if (typeof property.description === 'string') entry.description = property.description;
    return entry;
  });
}
