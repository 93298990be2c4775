import { of, ReplaySubject, Subscription, type Observable } from 'rxjs';
import type { JsonObject } from '../../../protocol/index.js';
import type { CloseInfo, EncodedFrame, PeerArrival, PeerLink, Related, UpgradeRequestInfo } from '../../edges/edge.js';
import { CloseCode } from '../../close-codes.js';
import { ClientGoneError } from '../../errors.js';
import type { HandledClient } from '../../flow/run-handlers.js';
import type { MessageRateLimiter, RatedClient } from '../../flow/message-rate.js';
import type { OutboundGate } from '../../flow/slow-consumer.js';
import type { HeartbeatPeer } from '../../operators/heartbeat.js';
import type { ResumableSession } from '../../resume/session-resumption.js';
import type { AuthInfo } from '../../security/authenticate.js';
import type { Traffic } from '../../observability/traffic.js';
import type { ClientConnection, ClientInfo } from './client-connection.js';
import { newClientId } from './client-id.js';
import type { OutboundPolicy } from './outbound-policy.js';

/**
 * The server's side of one client: its identity, its link (replaced when a session resumes) and
 * the per-connection state the pipeline's policies keep. Thousands of these sit idle on a busy
 * server, so what is not needed until a client does something (its slow-consumer gate, rate
 * limiter, work list, close stream) is made on first use.
 */
export class Connection implements ClientConnection, HeartbeatPeer, HandledClient, RatedClient {
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** What per-address limits count this client under (the server's `clientAddress`). */
  readonly limitAddress: string | undefined;
  readonly request: UpgradeRequestInfo;
  readonly authInfo: AuthInfo | undefined;
  awaitingPong = false;
  /** Set when the client asked for a resumable session. */
  session: ResumableSession | undefined;
  /** Whether the server closed this connection on purpose (such a close is never resumed). */
  closedByServer = false;
  /** Handler calls of this client not yet finished (the in-flight cap). */
  pendingCalls = 0;
  /** The client's message rate, made at its first frame. */
  messageRate: MessageRateLimiter | undefined;
  /** Frames received from it and messages handed to it: plain numbers, read by the dashboard. */
  messagesIn = 0;
  messagesOut = 0;

  /** A number rather than a Date: a Date object is ~100 bytes of heap. */
  private readonly connectedAtMs: number;
  private currentLink: PeerLink;
  /** Made when a write first takes the buffer past the policy's low watermark. */
  private gate: OutboundGate | undefined;
  /** Everything running on behalf of this client (Observable replies); ended when it is gone for good. */
  private work: Subscription | undefined;
  private ended = false;
  private closedSubject: ReplaySubject<CloseInfo> | undefined;
  private closedWith: CloseInfo | undefined;
  /** Made when a handler first asks for `signal`. */
  private controller: AbortController | undefined;

  constructor(
    arrival: PeerArrival,
    now: number,
    private readonly outbound: OutboundPolicy | undefined,
    /** The server's totals, counted as messages are handed out. */
    private readonly traffic: Traffic,
    /** A session resumed from another node keeps the client id it had there. */
    id: string = newClientId(),
  ) {
    this.id = id;
    this.currentLink = arrival.link;
    this.remoteAddress = arrival.remoteAddress;
    this.remotePort = arrival.remotePort;
    this.limitAddress = arrival.limitAddress ?? arrival.remoteAddress;
    this.request = arrival.request;
    this.authInfo = arrival.authInfo;
    this.connectedAtMs = now;
  }

  /** When the connection was accepted (a new Date each time it is read). */
  get connectedAt(): Date {
    return new Date(this.connectedAtMs);
  }

  get closed$(): Observable<CloseInfo> {
    if (this.closedWith) return of(this.closedWith);
    this.closedSubject ??= new ReplaySubject<CloseInfo>(1);
    return this.closedSubject.asObservable();
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** The link the client is on now; a resumed session has a new one. */
  get link(): PeerLink {
    return this.currentLink;
  }

  get protocol(): string {
    return this.currentLink.protocol;
  }

  get isOpen(): boolean {
    return this.currentLink.isOpen;
  }

  get bufferedAmount(): number {
    return this.currentLink.bufferedAmount;
  }

  /** Whether the client is gone for good. */
  get isGone(): boolean {
    return this.ended;
  }

  send(message: JsonObject, relatedTo?: string | Related): boolean {
    const related = typeof relatedTo === 'string' ? { request: relatedTo, final: false } : relatedTo;
    return this.write(JSON.stringify(message), undefined, related);
  }

  /**
   * Sends text that is already JSON. In a resumable session it is logged first, so a client that
   * is away gets it when it comes back (and the send counts as done).
   */
  write(data: string, written?: (error?: Error) => void, related?: Related): boolean {
    if (this.session && !this.ended) {
      this.session.record(data);
      if (!this.currentLink.isOpen) return true;
    }
    if (!this.currentLink.isOpen) return false;
    this.messagesOut++;
    this.traffic.sent(data.length);
    return this.deliver(data, data.length, written, related);
  }

  /** The request with this key gets no reply: an edge with a response per request ends it (`PeerLink.settle`). */
  settle(requestKey: string): void {
    this.currentLink.settle?.(requestKey);
  }

  /** Sends a frame encoded once for many clients; with `hold`, this link's writes wait for the end of the turn. */
  writeFrame(frame: EncodedFrame, hold: boolean): boolean {
    if (this.session && !this.ended) {
      this.session.record(frame.text, frame.bytes.length, frame.position);
      if (!this.currentLink.isOpen) return true;
    }
    const link = this.currentLink;
    if (!link.isOpen) return false;
    this.messagesOut++;
    this.traffic.sent(frame.bytes.length);
    if (hold) link.hold?.();
    // Near the slow-consumer watermark the gate decides; below it the link takes the frame as encoded.
    if (this.gate || !link.writeFrame || (this.outbound && link.bufferedAmount + frame.bytes.length > this.outbound.lowWatermark)) {
      return this.deliver(frame.bytes, frame.bytes.length);
    }
    link.writeFrame(frame);
    return true;
  }

  /** Emits once the client has read everything sent to it so far (see `PeerLink.readReceipt`); `undefined` when its link cannot tell. */
  readReceipt(): Observable<void> | undefined {
    return this.currentLink.readReceipt?.();
  }

  /** Whatever is written to the client reaches it as one ordered stream without read receipts (see `PeerLink.inOrder`). */
  get inOrder(): boolean {
    return this.currentLink.inOrder === true;
  }

  /** Pings the client; `false` when its link cannot ping (the heartbeat then leaves it alone). */
  ping(): boolean {
    const link = this.currentLink;
    if (!link.ping) return false;
    link.ping();
    return true;
  }

  close(code: number = CloseCode.Normal, reason = ''): void {
    this.closedByServer = true;
    this.currentLink.close(code, reason);
  }

  terminate(): void {
    this.currentLink.terminate();
  }

  track(subscription: Subscription): void {
    this.work ??= new Subscription();
    this.work.add(subscription);
  }

  /**
   * Cancels everything still running on behalf of this client, and whatever starts later:
   * Observable replies are unsubscribed, and `signal` is aborted with `reason` for the rest.
   */
  cancelWork(reason: Error): void {
    this.work?.unsubscribe();
    // Closed: what is tracked from now on is unsubscribed at once.
    this.work = Subscription.EMPTY;
    this.controller ??= new AbortController();
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Its link dropped but the session may resume: what watched that link stops. */
  detach(): void {
    this.gate?.dispose();
    this.gate = undefined;
  }

  /** Moves a resumed session onto the link its client came back on. */
  attach(link: PeerLink): void {
    this.detach();
    this.currentLink = link;
    this.awaitingPong = false;
  }

  /** Called by the server when the client is gone for good. */
  markClosed(info: CloseInfo): void {
    this.ended = true;
    this.cancelWork(new ClientGoneError(`Client ${this.id} is gone (${info.code}${info.reason ? `: ${info.reason}` : ''})`));
    this.gate?.dispose();
    this.closedWith = info;
    this.closedSubject?.next(info);
    this.closedSubject?.complete();
  }

  toInfo(): ClientInfo {
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      connectedAt: this.connectedAt,
      protocol: this.protocol,
      request: this.request,
      authInfo: this.authInfo,
    };
  }

  private deliver(data: string | Buffer, length: number, written?: (error?: Error) => void, related?: Related): boolean {
    if (this.gate) return this.gate.send(data, written, related);
    // Under the low watermark the gate would send it bare too: no gate until one is needed.
    if (this.outbound && this.currentLink.bufferedAmount + length > this.outbound.lowWatermark) {
      this.gate = this.outbound.gate(this.currentLink, this);
      return this.gate.send(data, written, related);
    }
    this.currentLink.write(data, written, related);
    return true;
  }
}
