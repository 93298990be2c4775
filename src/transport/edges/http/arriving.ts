import type { CloseInfo, EdgeHost, PeerArrival, PeerLink } from '../edge.js';

/**
 * One peer's arrival, and its departure however early it comes: the server may close a link while
 * `arrive()` is still running (full: turned away; a `connections$` subscriber closing it at once),
 * before the edge holds the peer's handle. Such a peer counts as never arrived: `arrive` returns
 * `undefined` (the request is answered 503), and a peer the server did hand back is told it left.
 */
export class Arriving {
  private peer: unknown;
  private closedEarly: { readonly link: PeerLink; readonly info: CloseInfo } | undefined;
  private arrived = false;

  constructor(private readonly host: EdgeHost) {}

  arrive(arrival: PeerArrival): unknown {
    const peer = this.host.arrive(arrival);
    this.arrived = true;
    if (peer === undefined) return undefined;
    if (this.closedEarly) {
      this.host.left(peer, this.closedEarly.link, this.closedEarly.info);
      return undefined;
    }
    this.peer = peer;
    return peer;
  }

  left(link: PeerLink, info: CloseInfo): void {
    if (this.arrived && this.peer !== undefined) this.host.left(this.peer, link, info);
    else if (!this.arrived) this.closedEarly = { link, info };
  }
}
