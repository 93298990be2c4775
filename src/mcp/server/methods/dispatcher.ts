import * as E from 'fp-ts/lib/Either.js';
import {
  classifyMessage,
  jsonRpcError,
  JsonRpcErrorCode,
  MetaKey,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../../../protocol/index.js';
import { describeErrors } from '../../registries/describe-errors.js';
import { McpError } from '../../mcp-error.js';
import { requestKey } from '../../request-correlator.js';
import type { AnyMethodSpec, NotificationHandler } from './method-spec.js';
import { requestEra } from './negotiation.js';
import { runRequest, type RunSettings } from '../requests/run-request.js';
import type { McpSession, RequestEra } from '../sessions/session.js';

/** What a message of a session gets back: nothing, a JSON-RPC reply, or the promise of one (a request still running). */
export type DispatchResult = JsonObject | undefined | Promise<JsonObject | undefined>;

export interface DispatcherOptions extends RunSettings {
  readonly methods: ReadonlyMap<string, AnyMethodSpec>;
  readonly notifications: ReadonlyMap<string, NotificationHandler>;
  /** A request passed every check and is about to run. */
  readonly onAdmitted: (session: McpSession, era: RequestEra) => void;
  /** A reply of the client to a request this server never sent (or no longer waits for). */
  readonly onUnmatchedReply?: (session: McpSession, reply: JsonRpcResponse) => void;
}

/**
 * MCP's stage of the server pipeline: takes one decoded JSON object from a session and answers it
 * per JSON-RPC and MCP, by giving the reply back to the pipeline (which sends it). Never throws:
 * every malformed request gets its error reply and the connection stays up; notifications never
 * get a reply; replies to the server's own requests go to the session's correlator. How many
 * requests may run, and what happens while the server stops, are the pipeline's policies.
 */
export class Dispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  receive(session: McpSession, input: JsonObject): DispatchResult {
    const classified = classifyMessage(input);
    if (E.isLeft(classified)) {
      return jsonRpcError(classified.left.id, JsonRpcErrorCode.InvalidRequest, `Invalid request: ${classified.left.reason}`);
    }
    const { kind, message } = classified.right;
    if (kind === 'request') return this.request(session, message);
    if (kind === 'notification') this.notification(session, message);
    else if (!session.outgoing.accept(message)) this.options.onUnmatchedReply?.(session, message);
    return undefined;
  }

  private notification(session: McpSession, notification: JsonRpcNotification): void {
    const handler = this.options.notifications.get(notification.method);
    // Unknown notifications are ignored, as JSON-RPC asks: there is nobody to tell.
    if (handler) handler(notification.params ?? {}, session);
  }

  private request(session: McpSession, request: JsonRpcRequest): DispatchResult {
    const { id, method } = request;
    if (session.inFlight.has(requestKey(id))) {
      return jsonRpcError(id, JsonRpcErrorCode.InvalidRequest, 'Invalid request: this id is already in use by a request in flight');
    }
    const spec = this.options.methods.get(method);
    if (!spec) return refusal(request, McpError.methodNotFound(method));
    const eraDecision = method === 'initialize' ? E.right<McpError, RequestEra>({ kind: 'legacy' }) : requestEra(request.params);
    if (E.isLeft(eraDecision)) return refusal(request, eraDecision.left);
    const era = eraDecision.right;
    const refused = admission(spec, era, session, method);
    if (refused) return refusal(request, refused);
    const params = spec.params.decode(request.params ?? {});
    if (E.isLeft(params)) {
      return jsonRpcError(id, JsonRpcErrorCode.InvalidParams, `Invalid params for ${method}: ${describeErrors(params.left, 'params')}`);
    }
    this.options.onAdmitted(session, era);
    return runRequest({ session, request, spec, era, params: params.right }, this.options);
  }
}

function refusal(request: JsonRpcRequest, error: McpError): JsonObject {
  return jsonRpcError(request.id, error.code, error.message, error.data);
}

/** Whether this request may run now on this connection; an error if not. */
function admission(spec: AnyMethodSpec, era: RequestEra, session: McpSession, method: string): McpError | undefined {
  if (era.kind === 'modern' && spec.eras === 'legacy') {
    return McpError.methodNotFound(method, 'Method not available in protocol revision 2026-07-28');
  }
  if (era.kind === 'legacy' && spec.eras === 'modern') {
    return McpError.methodNotFound(method, `Method needs the per-request _meta of protocol revision 2026-07-28 ("${MetaKey.protocolVersion}")`);
  }
  if (era.kind === 'legacy' && session.handshake === 'new' && spec.beforeInitialize !== true) {
    return McpError.invalidRequest(`Invalid request: ${method} before initialize; send initialize first (or the 2026-07-28 per-request _meta)`);
  }
  return undefined;
}
