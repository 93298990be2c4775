import type { Socket } from 'node:net';
import { Subscription, timer, type SchedulerLike } from 'rxjs';

/** The limits on connections that have not yet finished their handshake. */
export interface HandshakeLimits {
  /** From TCP accept until the request headers are complete, ms: an absolute deadline. */
  readonly handshakeTimeoutMs: number;
  /** Most such connections per remote address; `undefined`: unlimited. */
  readonly maxPendingHandshakesPerAddress: number | undefined;
  readonly scheduler: SchedulerLike;
}

/** Why a connection was dropped before its request headers were complete. */
export type HandshakeDrop = 'timeout' | 'evicted';

interface Pending {
  readonly socket: Socket;
  readonly key: string;
  readonly address: string;
  readonly deadline: Subscription;
}

/**
 * The listener's TCP connections that have not finished their handshake: the TLS handshake (with
 * TLS) and the request headers. Each gets an absolute deadline from accept, so a peer that
 * trickles a byte now and then (slowloris) is closed as surely as one that sends nothing; and
 * each remote address gets at most `maxPendingHandshakesPerAddress` of them at once, the oldest
 * giving way to the newest. A real client finishes in milliseconds, so only that many newcomers
 * from its own address within those milliseconds could evict it: evicting the oldest keeps it
 * served while an attacker on its address (a shared NAT) churns through its own stalled
 * connections. Refusing the newest instead would lock it out until the attacker's timed out.
 */
export class PendingHandshakes {
  /** By connection: remote and local address and port, the same on the TCP socket and a TLS socket over it. */
  private readonly byConnection = new Map<string, Pending>();
  /** By TCP socket, for its 'close' (when its addresses can no longer be read). */
  private readonly bySocket = new WeakMap<Socket, Pending>();
  /** By remote address, oldest first (a Set keeps insertion order). */
  private readonly byAddress = new Map<string, Set<Pending>>();
  /** One 'close' listener for every socket (`this` is the socket), removed once the handshake is done. */
  private readonly onClose: (this: Socket) => void;

  constructor(
    private readonly limits: HandshakeLimits,
    private readonly onDropped: (reason: HandshakeDrop, remoteAddress: string) => void,
  ) {
    const bySocket = this.bySocket;
    const forget = (pending: Pending | undefined): void => {
      if (pending) this.forget(pending);
    };
    this.onClose = function (this: Socket): void {
      forget(bySocket.get(this));
    };
  }

  /** A TCP connection was accepted: its deadline starts now. */
  accepted(socket: Socket): void {
    const key = connectionKey(socket);
    // Without a peer address the connection has already failed; there is nothing to wait for.
    if (socket.remoteAddress === undefined || key === undefined) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress;
    const cap = this.limits.maxPendingHandshakesPerAddress;
    const sameAddress = this.byAddress.get(address) ?? new Set<Pending>();
    if (cap !== undefined) {
      for (const oldest of sameAddress) {
        if (sameAddress.size < cap) break;
        this.drop(oldest, 'evicted');
      }
    }
    const pending: Pending = { socket, key, address, deadline: new Subscription() };
    pending.deadline.add(timer(this.limits.handshakeTimeoutMs, this.limits.scheduler).subscribe(() => this.drop(pending, 'timeout')));
    this.byConnection.set(key, pending);
    this.bySocket.set(socket, pending);
    sameAddress.add(pending);
    this.byAddress.set(address, sameAddress);
    socket.on('close', this.onClose);
  }

  /** The request headers are complete on `socket` (with TLS, the TLS socket): the handshake is no longer ours to time. */
  completed(socket: Socket): void {
    const key = connectionKey(socket);
    const pending = key === undefined ? undefined : this.byConnection.get(key);
    if (pending) this.forget(pending);
  }

  /** How many connections from `address` (from every address when omitted) are in their handshake. */
  count(address?: string): number {
    return address === undefined ? this.byConnection.size : (this.byAddress.get(address)?.size ?? 0);
  }

  private drop(pending: Pending, reason: HandshakeDrop): void {
    if (!this.forget(pending)) return;
    pending.socket.destroy();
    this.onDropped(reason, pending.address);
  }

  /** Stops timing one connection; false if it was no longer pending. */
  private forget(pending: Pending): boolean {
    if (this.byConnection.get(pending.key) !== pending) return false;
    this.byConnection.delete(pending.key);
    this.bySocket.delete(pending.socket);
    pending.socket.off('close', this.onClose);
    pending.deadline.unsubscribe();
    const sameAddress = this.byAddress.get(pending.address);
    sameAddress?.delete(pending);
    if (sameAddress?.size === 0) this.byAddress.delete(pending.address);
    return true;
  }
}

function connectionKey(socket: Socket): string | undefined {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return `${remoteAddress}|${remotePort}|${localAddress ?? ''}|${localPort ?? ''}`;
}
