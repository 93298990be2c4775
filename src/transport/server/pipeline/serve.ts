import { takeUntil, type Observable } from 'rxjs';
import type { DecodedMessage } from '../../flow/decode.js';
import type { InFlightCalls } from '../../flow/in-flight.js';
import { heartbeat } from '../../operators/heartbeat.js';
import { writeToEveryClient, type Broadcast } from '../messages/broadcast.js';
import type { Connection } from '../clients/connection.js';
import type { Peers } from '../clients/peers.js';
import { pipelineEffects } from './pipeline-effects.js';
import { serverPipeline } from './pipeline.js';
import type { ResolvedServerOptions } from '../server-options.js';
import { sendReply } from './send-reply.js';

/** What the running server is made of, for {@link serveClients}. */
export interface ServeParts {
  readonly options: ResolvedServerOptions;
  readonly peers: Peers;
  readonly calls: InFlightCalls;
  readonly broadcasts: Observable<Broadcast>;
  /** The heartbeat ends here. */
  readonly stopping$: Observable<void>;
  /** The pipeline and the broadcast writer end here. */
  readonly stopped$: Observable<void>;
  readonly isStopping: () => boolean;
  /** An accepted message, for `messages$` and `receiveMessage()`. */
  readonly publish: (message: DecodedMessage<Connection>) => void;
}

/** Builds what runs while the server serves: the message pipeline, the broadcast subject's writer, the heartbeat. */
export function serveClients({ options, peers, calls, broadcasts, stopping$, stopped$, isStopping, publish }: ServeParts): void {
  const effects = pipelineEffects({
    errorReply: options.errorReply,
    binaryFrames: options.binaryFrames,
    maxInFlight: options.maxInFlight,
    report: (error, clientId) => peers.report(error, clientId),
    publish,
    requestKey: options.requestKey,
  });
  const pipeline = serverPipeline(
    {
      scheduler: options.scheduler,
      messageRate: options.messageRate,
      handler: options.handler,
      maxInFlight: options.maxInFlight,
      startsWork: options.startsWork,
      isStopping,
      calls,
      report: (error) => peers.report(error),
    },
    effects,
  );
  peers.frames$.pipe(pipeline, takeUntil(stopped$)).subscribe((reply) => sendReply(reply, options.requestKey, effects.failed));
  broadcasts.pipe(takeUntil(stopped$)).subscribe(writeToEveryClient(() => peers.values()));
  if (options.heartbeat) {
    heartbeat(() => peers.values(), options.heartbeat, options.scheduler)
      .pipe(takeUntil(stopping$))
      .subscribe((client) => client.terminate());
  }
}
