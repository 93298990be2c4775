import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  ContentBlockCodec,
  JsonObjectCodec,
  type CallToolResult,
  type ContentBlock,
  type JsonObject,
  type Tool,
  type ToolAnnotations,
} from '../../protocol/index.js';
import { cutPeerText } from '../../transport/index.js';
import { describeErrors } from './describe-errors.js';
import type { HandlerContext } from '../server/requests/handler-context.js';
import { toObjectSchema } from './json-schema.js';
import { CancelledError, ClientRequestError, ConnectionClosedError, InputRequiredError, McpError, ToolError } from '../mcp-error.js';
import { paginate, type Page } from './paging.js';
import { Registry } from './registry.js';
import { acceptsFullResults, structuredResult, type StructuredToolError, type StructuredToolResult } from './structured-result.js';

/** What a tool without an output codec returns: text, or a full result body. */
export type ToolReply = string | ToolResultBody;

/** A `tools/call` result as a handler builds it (`structuredContent` comes from an output codec). */
export interface ToolResultBody {
  readonly content: ContentBlock[];
  readonly isError?: boolean;
  readonly _meta?: JsonObject;
}

const ToolResultBodyCodec = t.intersection([
  t.type({ content: t.array(ContentBlockCodec) }),
  t.partial({ isError: t.boolean, _meta: JsonObjectCodec }),
]);

/** How a tool is described to clients; `input` is the io-ts codec its arguments are decoded with. */
export interface ToolDefinition<I extends t.Any> {
  readonly title?: string;
  readonly description?: string;
  /** Decodes the arguments; its JSON Schema is the tool's `inputSchema`. Must describe an object. */
  readonly input: I;
  readonly annotations?: ToolAnnotations;
  readonly _meta?: JsonObject;
}

/**
 * A tool whose result is structured: the handler returns a value of `output` (or a full result
 * with `structuredContent`, see {@link StructuredToolReply}), sent as `structuredContent`.
 */
export interface StructuredToolDefinition<I extends t.Any, O extends t.Any> extends ToolDefinition<I> {
  /** Validates and encodes the handler's value; its JSON Schema is the tool's `outputSchema`. */
  readonly output: O;
}

/**
 * What a structured tool returns: the output value; or a full result, `{ content, structuredContent,
 * isError?, _meta? }` (its `structuredContent` validated like the value), or `{ content, isError:
 * true }`. A value counts as a full result when it is an object with a `content` array and either
 * `structuredContent` or `isError: true`, unless the output codec itself declares a `content` or
 * `structuredContent` field: then every value is an output value.
 */
export type StructuredToolReply<O extends t.Any> = t.TypeOf<O> | StructuredToolResult<t.TypeOf<O>> | StructuredToolError;

/** Runs a tool on its decoded arguments; returns text or a result body. Throw `ToolError` for a failure clients should read. */
export type ToolHandler<I extends t.Any> = (args: t.TypeOf<I>, ctx: HandlerContext) => ToolReply | Promise<ToolReply>;
/** Runs a tool with an output codec: returns a value of `output` (or a full result), sent as `structuredContent` once validated. */
export type StructuredToolHandler<I extends t.Any, O extends t.Any> = (
  args: t.TypeOf<I>,
  ctx: HandlerContext,
) => StructuredToolReply<O> | Promise<StructuredToolReply<O>>;

/** How a call ended, for `toolCalls$`. */
export type ToolCallOutcome = 'ok' | 'tool_error' | 'invalid_arguments' | 'invalid_output' | 'failed' | 'cancelled' | 'input_required';

export interface ToolCallResult {
  readonly result: CallToolResult;
  readonly outcome: ToolCallOutcome;
}

/** A registered tool; `remove()` takes it away (and tells listening clients). */
export interface RegisteredTool {
  readonly name: string;
  /** Removes this tool (not a later one registered under its name); returns whether it did. */
  remove(): boolean;
}

interface ToolEntry {
  readonly listing: Tool;
  readonly input: t.Any;
  readonly output: { readonly codec: t.Any; readonly fullResults: boolean } | undefined;
  readonly handler: (args: unknown, ctx: HandlerContext) => unknown;
}

/** The spec's advice for tool names; enforced so every client can call every tool. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The server's tools: listing (sorted by name, paged) and calling (decode, run, validate output).
 * Failures inside handlers become `isError` results; only an unknown tool is a protocol error.
 */
export class ToolRegistry {
  private readonly tools = new Registry<ToolEntry>('tool');
  readonly changed$ = this.tools.changed$;

  constructor(private readonly onFailure: (error: unknown, context: string) => void) {}

  add(name: string, definition: ToolDefinition<t.Any> & { readonly output?: t.Any }, handler: (args: unknown, ctx: HandlerContext) => unknown): RegisteredTool {
    if (!TOOL_NAME.test(name)) throw new TypeError(`Tool name ${JSON.stringify(name)} must be 1–128 characters of A–Z, a–z, 0–9, "_", "-" or "."`);
    const listing: Tool = {
      name,
      inputSchema: toObjectSchema(definition.input, `The input codec of tool "${name}"`) as Tool['inputSchema'],
    };
    if (definition.title !== undefined) listing.title = definition.title;
    if (definition.description !== undefined) listing.description = definition.description;
    let output: ToolEntry['output'];
    if (definition.output !== undefined) {
      listing.outputSchema = toObjectSchema(definition.output, `The output codec of tool "${name}"`) as Tool['inputSchema'];
      output = { codec: definition.output, fullResults: acceptsFullResults(listing.outputSchema) };
    }
    if (definition.annotations !== undefined) listing.annotations = definition.annotations;
    if (definition._meta !== undefined) listing._meta = definition._meta;
    const entry: ToolEntry = { listing, input: definition.input, output, handler };
    this.tools.add(name, entry);
    return { name, remove: () => this.tools.get(name) === entry && this.tools.remove(name) };
  }

  remove(name: string): boolean {
    return this.tools.remove(name);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  get size(): number {
    return this.tools.size;
  }

  list(cursor: string | undefined, pageSize: number): Page<Tool> {
    return paginate(
      [...this.tools.values()].map((entry) => entry.listing),
      (tool) => tool.name,
      cursor,
      pageSize,
    );
  }

  /**
   * Runs one call: at once when the handler answers at once (so a server in virtual time answers
   * in virtual time), else as a promise. Throws `McpError` -32602 only for an unknown tool (its
   * name in `data.name`, cut).
   */
  call(name: string, rawArguments: JsonObject | undefined, ctx: HandlerContext): ToolCallResult | Promise<ToolCallResult> {
    const entry = this.tools.get(name);
    if (!entry) throw McpError.invalidParams('Unknown tool', { name: cutPeerText(name) });
    const args = entry.input.decode(rawArguments ?? {});
    if (E.isLeft(args)) {
      return failure('invalid_arguments', `Invalid arguments for tool "${name}": ${describeErrors(args.left, 'arguments')}`);
    }
    const finished = (value: unknown): ToolCallResult => {
      // A handler that answers after its client cancelled the call or left for good was still
      // cancelled: no reply goes out. (A stopping server still sends what comes in its grace time.)
      if (ctx.signal.reason instanceof CancelledError || ctx.signal.reason instanceof ConnectionClosedError) return this.failed(name, ctx.signal.reason, ctx);
      return entry.output ? this.structured(name, entry.output, value) : this.unstructured(name, value);
    };
    const failed = (error: unknown): ToolCallResult => this.failed(name, error, ctx);
    let value: unknown;
    try {
      value = entry.handler(args.right, ctx);
    } catch (error) {
      return failed(error);
    }
    return value instanceof Promise ? value.then(finished, failed) : finished(value);
  }

  private failed(name: string, error: unknown, ctx: HandlerContext): ToolCallResult {
    // The client cannot do what the handler asked of it: the call's protocol error, not an isError result.
    if (error instanceof ClientRequestError) throw error;
    if (error instanceof InputRequiredError || ctx.signal.reason instanceof InputRequiredError) return failure('input_required', `Tool "${name}" asked the client for input`);
    if (ctx.signal.aborted) return failure('cancelled', `Tool "${name}" was cancelled: ${reasonOf(ctx.signal)}`);
    if (error instanceof ToolError) return failure('tool_error', error.message);
    this.onFailure(error, `tool "${name}"`);
    return failure('failed', `Tool "${name}" failed with an internal error`);
  }

  private structured(name: string, output: NonNullable<ToolEntry['output']>, value: unknown): ToolCallResult {
    const built = structuredResult(output.codec, value, output.fullResults);
    if (E.isRight(built)) return { outcome: built.right.isError === true ? 'tool_error' : 'ok', result: built.right };
    const { kind, problem } = built.left;
    if (kind === 'malformed') {
      this.onFailure(new Error(`Tool "${name}" returned a malformed result: ${problem}`), `tool "${name}"`);
      return failure('failed', `Tool "${name}" failed with an internal error`);
    }
    this.onFailure(new Error(`Tool "${name}" returned output that does not match its output codec: ${problem}`), `tool "${name}"`);
    return failure('invalid_output', `Tool "${name}" produced output that does not match its output schema: ${problem}`);
  }

  private unstructured(name: string, value: unknown): ToolCallResult {
    if (typeof value === 'string') return { outcome: 'ok', result: { content: [{ type: 'text', text: value }] } };
    const body = ToolResultBodyCodec.decode(value);
    if (E.isLeft(body)) {
      this.onFailure(new Error(`Tool "${name}" returned a malformed result: ${describeErrors(body.left, 'result')}`), `tool "${name}"`);
      return failure('failed', `Tool "${name}" failed with an internal error`);
    }
    return { outcome: body.right.isError === true ? 'tool_error' : 'ok', result: body.right };
  }

  complete(): void {
    this.tools.complete();
  }
}

function failure(outcome: ToolCallOutcome, text: string): ToolCallResult {
  return { outcome, result: { content: [{ type: 'text', text }], isError: true } };
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
}
