import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  ClientFeatureMethod,
  CreateMessageParamsCodec,
  CreateMessageResultCodec,
  ElicitParamsCodec,
  ElicitResultCodec,
  jsonRpcError,
  JsonRpcErrorCode,
  jsonRpcResult,
  ListRootsResultCodec,
  type ClientCapabilities,
  type CreateMessageParams,
  type CreateMessageResult,
  type ElicitParams,
  type ElicitResult,
  type JsonObject,
  type JsonRpcRequest,
  type RequestId,
  type Root,
} from '../../protocol/index.js';
import { describeErrors } from '../registries/describe-errors.js';
import { CancelledError, McpError } from '../mcp-error.js';
import { requestKey } from '../request-correlator.js';

/** What a handler of a server's request knows about it. */
export interface ServerRequestContext {
  /** The server's id for its request. */
  readonly requestId: RequestId;
  /** Aborted when the server cancels its request (`notifications/cancelled`) or the client disconnects. */
  readonly signal: AbortSignal;
}

/** Answers `sampling/createMessage`: runs the request through the client's model. */
export type SamplingHandler = (params: CreateMessageParams, context: ServerRequestContext) => CreateMessageResult | Promise<CreateMessageResult>;
/** Answers `elicitation/create`: shows the form (or the URL) to the user and reports what they did. */
export type ElicitationHandler = (params: ElicitParams, context: ServerRequestContext) => ElicitResult | Promise<ElicitResult>;
/** Answers `roots/list`: the directories and files the server may work on. */
export type RootsHandler = (context: ServerRequestContext) => readonly Root[] | Promise<readonly Root[]>;

/** Options of `SimpleMCPClient.onElicitation`. */
export interface ElicitationOptions {
  /** Also accept URL-mode elicitations (declares `elicitation.url`). Default false: forms only. */
  readonly url?: boolean;
}

interface Route {
  readonly params: t.Decoder<unknown, unknown>;
  readonly result: t.Decoder<unknown, unknown>;
  readonly run: (params: unknown, context: ServerRequestContext) => unknown;
}

/**
 * The client's answers to the server's requests, through handlers its user registers (each one
 * also declares its capability in `initialize`). Params and results are checked with the
 * protocol's codecs; a request the client has no handler for gets -32601; the server's
 * `notifications/cancelled` aborts the handler's signal and its answer is not sent.
 */
export class ServerRequestHandlers {
  private readonly routes = new Map<string, Route>();
  private readonly running = new Map<string, AbortController>();
  private declared: ClientCapabilities = {};
  private elicitUrl = false;

  constructor(
    private readonly reply: (message: JsonObject) => void,
    private readonly reportError: (error: Error) => void,
    /** Whether `initialize` has gone out (or is going): the capabilities are declared then, so registering is over. */
    private readonly declaredAlready: () => boolean,
  ) {}

  /** The capabilities the registered handlers declare. */
  get capabilities(): ClientCapabilities {
    return this.declared;
  }

  private beforeConnect(what: string): void {
    if (this.declaredAlready()) throw new Error(`${what}() must be called before connect(): the client declares its capabilities in initialize`);
  }

  onSampling(handler: SamplingHandler): void {
    this.beforeConnect('onSampling');
    this.declared = { ...this.declared, sampling: {} };
    this.routes.set(ClientFeatureMethod.createMessage, { params: CreateMessageParamsCodec, result: CreateMessageResultCodec, run: handler as Route['run'] });
  }

  onElicitation(handler: ElicitationHandler, options: ElicitationOptions): void {
    this.beforeConnect('onElicitation');
    this.elicitUrl = options.url === true;
    this.declared = { ...this.declared, elicitation: this.elicitUrl ? { form: {}, url: {} } : { form: {} } };
    this.routes.set(ClientFeatureMethod.elicit, { params: ElicitParamsCodec, result: ElicitResultCodec, run: handler as Route['run'] });
  }

  onListRoots(handler: RootsHandler): void {
    this.beforeConnect('onListRoots');
    this.declared = { ...this.declared, roots: {} };
    this.routes.set(ClientFeatureMethod.listRoots, {
      params: { decode: E.right } as t.Decoder<unknown, unknown>,
      result: ListRootsResultCodec,
      run: async (_params, context) => ({ roots: [...(await handler(context))] }),
    });
  }

  /** Answers one request of the server (ping aside); returns false when no handler is registered for it. */
  answer(request: JsonRpcRequest): boolean {
    const route = this.routes.get(request.method);
    if (!route) return false;
    const params = route.params.decode(request.params ?? {});
    if (E.isLeft(params)) {
      this.reply(jsonRpcError(request.id, JsonRpcErrorCode.InvalidParams, `Invalid params for ${request.method}: ${describeErrors(params.left, 'params')}`));
      return true;
    }
    if (request.method === ClientFeatureMethod.elicit && (params.right as ElicitParams).mode === 'url' && !this.elicitUrl) {
      this.reply(jsonRpcError(request.id, JsonRpcErrorCode.InvalidParams, 'This client does not accept URL-mode elicitations'));
      return true;
    }
    void this.run(request, route, params.right);
    return true;
  }

  /** The server gave up on its request: the handler's signal aborts, and no answer is sent. */
  cancel(requestId: RequestId, reason: string): void {
    this.running.get(requestKey(requestId))?.abort(new CancelledError(reason));
  }

  /** Aborts every handler still running (the client disconnected). */
  abortAll(reason: Error): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }

  private async run(request: JsonRpcRequest, route: Route, params: unknown): Promise<void> {
    const key = requestKey(request.id);
    const controller = new AbortController();
    this.running.set(key, controller);
    let message: JsonObject;
    try {
      const result = route.result.decode(await route.run(params, { requestId: request.id, signal: controller.signal }));
      if (E.isLeft(result)) {
        this.reportError(new McpError(JsonRpcErrorCode.InternalError, `The ${request.method} handler returned an invalid result: ${describeErrors(result.left, 'result')}`));
        message = jsonRpcError(request.id, JsonRpcErrorCode.InternalError, 'Internal error');
      } else {
        message = jsonRpcResult(request.id, result.right as JsonObject);
      }
    } catch (error) {
      if (!(error instanceof McpError) && !controller.signal.aborted) this.reportError(error instanceof Error ? error : new Error(String(error)));
      message = error instanceof McpError ? jsonRpcError(request.id, error.code, error.message, error.data) : jsonRpcError(request.id, JsonRpcErrorCode.InternalError, 'Internal error');
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
    if (!controller.signal.aborted) this.reply(message);
  }
}
