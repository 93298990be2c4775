import { identity, ignoreElements, map, pipe, tap, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { admit } from '../../flow/admit.js';
import { admitInOrder } from '../../flow/admit-in-order.js';
import type { TransportError } from '../../errors.js';
import { decodeInbound, type DecodedMessage, type RejectedFrame } from '../../flow/decode.js';
import { inFlightVerdict, type InFlightCalls } from '../../flow/in-flight.js';
import { rateVerdict, type MessageRateOptions } from '../../flow/message-rate.js';
import { runHandlers, type HandlerReply, type MessageHandler } from '../../flow/run-handlers.js';
import { stoppingVerdict, type StartsWork } from '../../flow/stopping.js';
import { rights } from '../../operators/rights.js';
import type { Connection } from '../clients/connection.js';
import type { InboundFrame } from '../clients/peers.js';

/** What the pipeline does with what it does not hand to the handler: error replies, closes, reports. */
export interface PipelineEffects {
  /** A frame over its client's message rate: refused with a reply, or (`close`) the client cut off. */
  readonly overRate: (frame: InboundFrame, verdict: 'refuse' | 'close') => void;
  /** A frame that is not a message. */
  readonly badFrame: (rejected: RejectedFrame<Connection>) => void;
  /** Every accepted message: `messages$` and `receiveMessage()`. */
  readonly publish: (message: DecodedMessage<Connection>) => void;
  /** A message refused without a handler call: the server is stopping, or its client has `maxInFlight` calls running. */
  readonly busy: (message: DecodedMessage<Connection>, why: 'shutting_down' | 'overloaded') => void;
  /** A handler threw or rejected. */
  readonly failed: (client: Connection, request: JsonObject, error: unknown) => void;
}

/** The server's policies, as the pipeline applies them. */
export interface PipelineSettings {
  readonly scheduler: SchedulerLike;
  readonly messageRate: MessageRateOptions | undefined;
  readonly handler: MessageHandler<Connection> | undefined;
  readonly maxInFlight: number | undefined;
  /** Which messages would start work: only those are refused while stopping or over the in-flight cap. */
  readonly startsWork: StartsWork;
  readonly isStopping: () => boolean;
  /** Unfinished handler calls, per client and in all. */
  readonly calls: InFlightCalls;
  /** Problems that refuse nothing (a shared rate store failing): for `errors$`. */
  readonly report?: (error: TransportError) => void;
}

/**
 * The server, as the card describes it: frames from every client, in one hot stream, become the
 * replies the handler gives.
 *
 * ```
 * frames ──rate──▶ decode (Either) ──▶ bad frames: error replies
 *                        │
 *                        ▼
 *                   messages$ ──stopping?──in-flight cap──▶ handler (mergeMap; cancelled when its client goes) ──▶ replies
 * ```
 *
 * Each policy is its own operator (`src/transport/flow`), shared with MCP, which plugs its
 * dispatcher in as the handler. Broadcasts do not pass here: they go into the server's broadcast
 * subject, whose subscriber encodes each once and writes it to every client (`broadcast.ts`).
 */
export function serverPipeline(settings: PipelineSettings, effects: PipelineEffects): OperatorFunction<InboundFrame, HandlerReply<Connection>> {
  const { handler, maxInFlight, startsWork, scheduler, calls } = settings;
  return pipe(
    settings.messageRate ? admitInOrder(rateVerdict(settings.messageRate, scheduler, settings.report), effects.overRate) : identity,
    map(decodeInbound<Connection>),
    rights(effects.badFrame),
    tap(effects.publish),
    handler
      ? pipe(
          admit(stoppingVerdict(settings.isStopping, startsWork), effects.busy),
          maxInFlight === undefined ? (identity as MonoTypeOperatorFunction<DecodedMessage<Connection>>) : admit(inFlightVerdict(maxInFlight, startsWork), effects.busy),
          runHandlers(handler, calls, effects.failed),
        )
      : ignoreElements(),
  );
}
