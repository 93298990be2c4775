import type { JsonObject } from '../../../protocol/index.js';
import { CloseCode } from '../../close-codes.js';
import type { DecodedMessage, RejectedFrame } from '../../flow/decode.js';
import { HandlerError, InvalidFrameError, OverloadedError, RateLimitedError, type TransportError } from '../../errors.js';
import { decodeInbound } from '../../flow/decode.js';
import type { Connection } from '../clients/connection.js';
import type { ReplyProblem } from './error-reply.js';
import type { InboundFrame } from '../clients/peers.js';
import type { PipelineEffects } from './pipeline.js';

export interface EffectsOptions {
  readonly errorReply: (problem: ReplyProblem) => JsonObject | undefined;
  readonly binaryFrames: 'reject' | 'close';
  readonly maxInFlight: number | undefined;
  readonly report: (error: TransportError, clientId?: string) => void;
  readonly publish: (message: DecodedMessage<Connection>) => void;
  readonly requestKey: (message: JsonObject) => string | undefined;
}

/**
 * What happens to everything the pipeline does not hand to the handler: each refusal gets its
 * error reply (shaped by `errorReply`; MCP answers in JSON-RPC) and, where an operator should
 * hear of it, an event on `errors$`; abuse closes the connection.
 */
export function pipelineEffects(options: EffectsOptions): PipelineEffects {
  const { errorReply, report } = options;
  const answer = (client: Connection, problem: ReplyProblem): void => {
    const reply = errorReply(problem);
    if (!reply) return;
    // The final word on its request: an edge with a response per request ends that response.
    const key = problem.request && options.requestKey(problem.request);
    client.write(JSON.stringify(reply), undefined, key === undefined ? undefined : { request: key, final: true });
  };
  return {
    publish: options.publish,
    overRate: ({ client, data, isBinary }: InboundFrame, verdict) => {
      if (verdict === 'close') {
        if (!client.isOpen) return;
        report(new RateLimitedError(`Client ${client.id} kept sending over its message rate; closed with 1008`), client.id);
        client.close(CloseCode.PolicyViolation, 'Message rate exceeded');
        return;
      }
      report(new RateLimitedError(`Refused a message from client ${client.id}: over its message rate`), client.id);
      // Decoded only to let the reply name the request (a JSON-RPC id); a bad frame gets a reply without it.
      const decoded = decodeInbound({ client, data, isBinary });
      const request = decoded._tag === 'Right' ? decoded.right.message : undefined;
      answer(client, { kind: 'rate_limited', message: 'Too many messages; slow down', ...(request ? { request } : {}) });
    },
    badFrame: ({ client, problem }: RejectedFrame<Connection>) => {
      report(new InvalidFrameError(`${problem.message} (client ${client.id})`), client.id);
      answer(client, problem);
      if (problem.kind === 'binary_frame' && options.binaryFrames === 'close') client.close(CloseCode.UnsupportedData, 'Binary frames are not supported');
    },
    busy: ({ client, message }: DecodedMessage<Connection>, why) => {
      if (why === 'shutting_down') {
        // Draining what runs, not starting more: the sender may retry elsewhere or after a reconnect.
        answer(client, { kind: 'shutting_down', message: 'The server is shutting down', request: message });
        return;
      }
      report(new OverloadedError(`Refused a message from client ${client.id}: ${options.maxInFlight ?? 0} handler calls already running (maxInFlight)`), client.id);
      answer(client, { kind: 'overloaded', message: 'Too many requests in progress; retry later', request: message });
    },
    failed: (client: Connection, request: JsonObject, error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      report(new HandlerError(`Message handler failed for client ${client.id}: ${reason}`, { cause: error }), client.id);
      answer(client, { kind: 'handler_failed', message: 'Internal server error', request });
    },
  };
}
