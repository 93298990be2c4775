import * as E from 'fp-ts/lib/Either.js';
import {
  CancelledParamsCodec,
  classifyMessage,
  jsonRpcError,
  JsonRpcErrorCode,
  jsonRpcResult,
  LifecycleMethod,
  ProgressParamsCodec,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type RequestId,
} from '../../protocol/index.js';
import { McpError } from '../mcp-error.js';
import { requestKey } from '../request-correlator.js';
import type { Progress } from './simple-client-options.js';

/** Where inbound messages end up. The client owns each of them; the router only hands over. */
export interface InboundTargets {
  /** A reply to one of our requests: the correlator matches it by id. */
  readonly acceptReply: (response: JsonRpcResponse) => void;
  /** Every notification, after the progress handler it concerns (if any) has seen it. */
  readonly notify: (notification: JsonRpcNotification) => void;
  /** Problems that are nobody's call: a message that is not JSON-RPC, a progress handler that threw. */
  readonly reportError: (error: Error) => void;
  /** Sends our answer to a request from the server. */
  readonly reply: (message: JsonObject) => void;
  /** Answers a request of the server with the user's handler; false when there is none for its method. */
  readonly answer: (request: JsonRpcRequest) => boolean;
  /** The server cancelled one of its requests. */
  readonly cancelServerRequest: (requestId: RequestId, reason: string) => void;
}

/**
 * Routes each JSON object the server sends to where it belongs: replies to the correlator,
 * notifications to the client's stream (progress first to the call that asked for it), requests
 * from the server to an answer. It holds the progress handlers of calls in flight because inbound
 * progress is the only thing that reads them.
 */
export class ClientInbound {
  private readonly progressHandlers = new Map<string, (progress: Progress) => void>();

  constructor(private readonly targets: InboundTargets) {}

  /** Hands each `notifications/progress` carrying `token` (the call's request id) to `handler`. */
  watchProgress(token: RequestId, handler: (progress: Progress) => void): void {
    this.progressHandlers.set(requestKey(token), handler);
  }

  /** The call with this token settled: later progress about it has no one to go to. */
  unwatchProgress(token: RequestId): void {
    this.progressHandlers.delete(requestKey(token));
  }

  /** Drops every progress handler (the client disconnected). */
  clearProgress(): void {
    this.progressHandlers.clear();
  }

  /** Routes one inbound JSON object; one that is not JSON-RPC is reported, not thrown. */
  route(input: JsonObject): void {
    const classified = classifyMessage(input);
    if (E.isLeft(classified)) {
      this.targets.reportError(new McpError(JsonRpcErrorCode.InvalidRequest, `The server sent something that is not JSON-RPC: ${classified.left.reason}`));
      return;
    }
    const { kind, message } = classified.right;
    if (kind === 'response') {
      this.targets.acceptReply(message);
    } else if (kind === 'notification') {
      this.onNotification(message);
    } else {
      this.onServerRequest(message);
    }
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === LifecycleMethod.cancelled) {
      const params = CancelledParamsCodec.decode(notification.params);
      if (E.isRight(params)) this.targets.cancelServerRequest(params.right.requestId, params.right.reason ?? 'Cancelled by the server');
    }
    if (notification.method === LifecycleMethod.progress) {
      const params = ProgressParamsCodec.decode(notification.params);
      if (E.isRight(params)) {
        const { progressToken, progress, total, message } = params.right;
        const handler = this.progressHandlers.get(requestKey(progressToken));
        const update: Progress = { progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) };
        try {
          handler?.(update);
        } catch (error) {
          // A caller's callback must not break routing for everyone else.
          this.targets.reportError(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
    this.targets.notify(notification);
  }

  /** The server may ping us, and ask what the user registered handlers for (sampling, elicitation, roots). */
  private onServerRequest(request: JsonRpcRequest): void {
    if (request.method === LifecycleMethod.ping) {
      this.targets.reply(jsonRpcResult(request.id, {}));
      return;
    }
    if (this.targets.answer(request)) return;
    const unknown = McpError.methodNotFound(request.method);
    this.targets.reply(jsonRpcError(request.id, unknown.code, unknown.message, unknown.data));
  }
}
