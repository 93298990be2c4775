import type { Subject } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import { SerializationError } from '../../errors.js';
import type { SessionHost } from '../../resume/session-host.js';
import type { Broadcast } from './broadcast.js';
import type { ClusterLink } from '../cluster-link.js';
import type { Peers } from '../clients/peers.js';
import { serialize } from '../serialize.js';

/** What sending from the server's API goes through. */
export interface SendRoutes {
  readonly peers: Peers;
  /** Where a broadcast is encoded once and written to every client of this node. */
  readonly broadcasts: Subject<Broadcast>;
  readonly sessions: SessionHost | undefined;
  readonly cluster: ClusterLink | undefined;
  readonly isStopping: () => boolean;
}

/**
 * `sendMessage`: through the broadcast subject, encoded once; with a cluster (and not stopping),
 * kept for resumable sessions and published once for every other node. Resolves with how many
 * clients of this node it reached.
 */
export function sendToEveryClient({ broadcasts, sessions, cluster, isStopping }: SendRoutes, message: JsonObject): Promise<number> {
  const broadcast: Broadcast = { message, reached: 0, failure: undefined };
  broadcasts.next(broadcast);
  if (broadcast.failure !== undefined) return Promise.reject(asError(broadcast.failure));
  if (broadcast.frame && cluster && !isStopping()) {
    sessions?.broadcastSent(broadcast.frame.text);
    cluster.broadcast(broadcast.frame);
  }
  return Promise.resolve(broadcast.reached);
}

/** `sendTo`: to a client of this node, or (with a cluster) to the node holding it; resolves 1 when sent, 0 when no node has it. */
export function sendToClient({ peers, cluster }: SendRoutes, clientId: string, message: JsonObject): Promise<number> {
  let data: string;
  try {
    data = serialize(message);
  } catch (error) {
    return Promise.reject(asError(error));
  }
  const local = peers.get(clientId);
  if (local || !cluster) return Promise.resolve(local?.write(data) === true ? 1 : 0);
  return cluster.sendToRemote(clientId, data);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new SerializationError(String(error));
}
