import { SessionHost } from '../../resume/session-host.js';
import { resumeClusterOf } from '../../resume/session-takeover.js';
import type { SlowConsumerEvent } from '../../flow/slow-consumer.js';
import { clusterHostOf, ClusterLink } from '../cluster-link.js';
import { outboundPolicy } from './outbound-policy.js';
import { Peers } from './peers.js';
import type { ResolvedServerOptions } from '../server-options.js';

/** A server's clients and what follows them: the resumption host (with `resume`) and the cluster link (with `cluster`). */
export interface PeerWiring {
  readonly peers: Peers;
  readonly sessions: SessionHost | undefined;
  readonly cluster: ClusterLink | undefined;
}

/**
 * Makes the peers of a server from its options: a dropped client's session ends (or is reported)
 * through them, and a clustered server's resumption can take over sessions held on other nodes.
 */
export function wirePeers(options: ResolvedServerOptions, slowConsumer: (event: SlowConsumerEvent) => void, isStopping: () => boolean): PeerWiring {
  const { scheduler, resume } = options;
  const sessions =
    resume &&
    new SessionHost(
      resume,
      scheduler,
      (client, info) => peers.finish(client, info),
      (error) => peers.report(error),
    );
  const peers = new Peers({
    scheduler,
    maxClients: options.maxClients,
    maxMessageSize: options.maxMessageSize,
    stopGraceMs: options.stopGraceMs,
    outbound: outboundPolicy(options.slowConsumer, scheduler, slowConsumer),
    sessions,
    isStopping,
    requestKey: options.requestKey,
  });
  if (!options.cluster) return { peers, sessions, cluster: undefined };
  const cluster = new ClusterLink(options.cluster, clusterHostOf(peers));
  sessions?.joinCluster(resumeClusterOf(cluster, options.cluster));
  return { peers, sessions, cluster };
}
