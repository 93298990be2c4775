import type { JsonObject } from '../../../src/protocol/index.js';
import type { PeerServer } from '../servers/peer-server.js';

/** A server node of the cluster workload: a transport peer that also sends to one client, wherever it is. */
export interface ClusterPeerServer extends PeerServer {
  /** Sends `message` to the client `clientId`, on this node or another, the way this server's users would. */
  sendTo(clientId: string, message: JsonObject): Promise<void> | void;
  /** How this server's Redis layer counts its own commands (round trips), when it does (else `undefined`). */
  redisCommands(): number | undefined;
  /** The clients of every node as this node's presence sees them, when it has a cluster-wide count (else `undefined`). */
  clusterCount(): number | undefined;
}

/** Where the node finds its cluster. */
export interface ClusterPeerParams {
  readonly redisUrl: string;
  readonly nodeId: string;
}

/** The question a probe client asks to learn the id the server knows it by. */
export const WHOAMI = 'whoami';
