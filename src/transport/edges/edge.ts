import type { IncomingHttpHeaders } from 'node:http';
import type { Observable, SchedulerLike } from 'rxjs';
import type { JsonObject } from '../../protocol/index.js';
import type { TransportError } from '../errors.js';
import type { SessionRequest } from '../resume/session-request.js';
import type { AuthInfo } from '../security/authenticate.js';

/** How a connection ended: its close code and reason. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** The request that opened a peer's connection (the WebSocket upgrade), as the server keeps it. */
export interface UpgradeRequestInfo {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Which request a message the server writes belongs to, for edges that answer each request on a
 * response of its own (Streamable HTTP). Edges that carry one stream per peer (WebSocket) ignore it.
 */
export interface Related {
  /** The request's key: what the transport's `requestKey` option says of the request. */
  readonly request: string;
  /** The request's final reply: its response may end. */
  readonly final: boolean;
}

/** A message encoded once for many clients: the text for replay logs, its UTF-8 bytes for the network. */
export interface EncodedFrame {
  readonly text: string;
  readonly bytes: Buffer;
  /** Its place on the cluster bus, for a broadcast that came from another node (logged with resumable sessions). */
  readonly position?: string;
}

/**
 * One peer as its edge carries it: what the server needs to write to it and to end it. A ws
 * socket, a virtual socket in a test; later an HTTP stream or stdio.
 */
export interface PeerLink {
  readonly isOpen: boolean;
  /** Bytes accepted for writing but not yet sent. */
  readonly bufferedAmount: number;
  /** The subprotocol agreed with the peer, `''` when none. */
  readonly protocol: string;
  /** Writes one text frame: JSON, as a string or its UTF-8 bytes. `written` hears when it reached the network, or failed. */
  write(data: string | Buffer, written?: (error?: Error) => void, related?: Related): void;
  /** Writes a frame encoded once for many links (a broadcast), framed by the edge as it sees fit. Optional: `write(frame.bytes)` otherwise. */
  writeFrame?(frame: EncodedFrame): void;
  /**
   * The request with this key (see {@link Related}) will get no reply — its handler ended without
   * one, as a cancelled MCP request does: an edge with a response per request ends that response.
   * Optional: edges with one stream per peer have nothing to end.
   */
  settle?(request: string): void;
  /** Starts the close handshake with `code` and `reason`. */
  close(code: number, reason: string): void;
  /** Ends the connection without a close handshake. */
  terminate(): void;
  /** Call before a write that may be one of a burst: the link batches a burst within one turn of the event loop into one write. Optional. */
  hold?(): void;
  /** Sends a ping the peer answers by itself (the heartbeat passes links without one by). */
  ping?(): void;
  /**
   * Emits once the peer has read everything written to it so far (or the link is gone), then
   * completes. Links that cannot tell leave it out.
   */
  readReceipt?(): Observable<void>;
  /**
   * Everything written to this peer travels one ordered stream (stdio): a reply the peer sends to a
   * later message shows it has read the earlier ones, so a protocol above may use a round trip of
   * its own where `readReceipt` is missing. Not so for per-request responses (HTTP).
   */
  readonly inOrder?: boolean;
}

/** A peer as it arrives: its link, who it is, and what it asked of its session. */
export interface PeerArrival {
  readonly link: PeerLink;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** The opening request, without the session request and the handshake's own headers. */
  readonly request: UpgradeRequestInfo;
  /** The principal the `authenticate` hook accepted; `undefined` without a hook. */
  readonly authInfo: AuthInfo | undefined;
  /** What the peer asked of session resumption (`none` on edges without sessions). */
  readonly session: SessionRequest;
  /** The server's earlier word on this arrival, from {@link EdgeHost.vetResume}. */
  readonly vetted?: unknown;
}

/**
 * What the server offers its edges. An edge pushes what its peers do into it: arrivals, frames,
 * pongs, failures and departures. `P` is the server's handle for a peer, opaque to the edge.
 */
export interface EdgeHost<P = unknown> {
  readonly scheduler: SchedulerLike;
  /** A peer arrived: the server's handle for it, or `undefined` when it was turned away (the server has closed its link). */
  arrive(arrival: PeerArrival): P | undefined;
  /** One frame from `peer`'s `link`. */
  frame(peer: P, link: PeerLink, data: string | Buffer, isBinary: boolean): void;
  /** `peer` answered a ping. */
  pong(peer: P): void;
  /** Something went wrong on `peer`'s link (the link closes after). */
  failed(peer: P, link: PeerLink, error: Error): void;
  /** `link` of `peer` closed. */
  left(peer: P, link: PeerLink, info: CloseInfo): void;
  /** A problem of the edge itself: a refused upgrade, a dropped handshake, a listener error. */
  report(error: TransportError): void;
  /** The key of a message that is a request expecting replies (the transport's `requestKey` option); `undefined` for others. */
  requestKey(message: JsonObject): string | undefined;
  /**
   * Before a peer that asks to resume is accepted (when waiting is still possible): the server's
   * verdict, handed back in {@link PeerArrival.vetted}.
   */
  vetResume(session: SessionRequest, authInfo: AuthInfo | undefined): Promise<unknown>;
}

/** Where peers come from: a WebSocket listener, a virtual edge in tests. */
export interface Edge {
  /** Starts bringing peers to `host`. Resolves once it can. */
  start(host: EdgeHost): Promise<void>;
  /** Stops accepting new peers; existing ones are the server's to close. */
  stopAccepting(): Promise<void>;
  /** Ends whatever the edge still holds once the server has closed its peers (stalled handshakes, idle HTTP). */
  close(): Promise<void>;
  /** Where clients reach it (`ws://host:port/path`), once started; `undefined` for edges without an address. */
  readonly url: string | undefined;
}
