import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { firstValueFrom, from, lastValueFrom, race, ReplaySubject, timer, type SchedulerLike } from 'rxjs';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { decodeTextFrame, type JsonObject } from '../protocol/index.js';
import { CloseCode, readReceipt, type CloseInfo, type UpgradeRequestInfo } from '../transport/index.js';
import { jsonRpcErrorReply } from './json-rpc-error-reply.js';
import type { McpPeer } from './session.js';

export interface PlainWsHostOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly maxMessageSize: number;
  readonly stopGraceMs: number;
  readonly scheduler: SchedulerLike;
  readonly onPeer: (peer: McpPeer) => void;
  readonly onMessage: (peer: McpPeer, message: JsonObject) => void;
  readonly onError: (error: Error, peerId: string | undefined) => void;
}

/**
 * The legacy path (`useTransport: false`): MCP straight over a plain `ws` server, as the seed's
 * original could run without its transport layer. Same framing rules (subprotocol `mcp`, one
 * JSON-RPC object per text frame, binary closed with 1003, JSON-RPC errors for bad frames), none
 * of the transport's extras: no heartbeat, no client list or count, no broadcast.
 */
export class PlainWsHost {
  private wss: WebSocketServer | undefined;
  private readonly peers = new Map<string, { peer: McpPeer; socket: WebSocket; closed: ReplaySubject<CloseInfo> }>();

  constructor(private readonly options: PlainWsHostOptions) {}

  get address(): AddressInfo | undefined {
    const address = this.wss?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  async start(): Promise<void> {
    if (this.wss) return;
    const { host, port, path, maxMessageSize } = this.options;
    const wss = new WebSocketServer({
      host,
      port,
      ...(path === undefined ? {} : { path }),
      maxPayload: maxMessageSize,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => (offered.has('mcp') ? 'mcp' : false),
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    }).catch((error: unknown) => {
      wss.close();
      throw error;
    });
    wss.on('error', (error) => this.options.onError(error, undefined));
    wss.on('connection', (socket, request) => this.accept(socket, request));
    this.wss = wss;
  }

  /** Closes every connection with 1001 (terminating stragglers after the grace period) and the listener. */
  async stop(): Promise<void> {
    const wss = this.wss;
    if (!wss) return;
    const listenerClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
    const open = [...this.peers.values()];
    for (const { socket } of open) socket.close(CloseCode.GoingAway, 'Server shutting down');
    const allClosed = Promise.all(open.map(({ closed }) => lastValueFrom(closed, { defaultValue: undefined })));
    await firstValueFrom(race(from(allClosed), timer(this.options.stopGraceMs, this.options.scheduler)));
    for (const { socket } of open) if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    await allClosed;
    await listenerClosed;
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const closed = new ReplaySubject<CloseInfo>(1);
    const upgrade: UpgradeRequestInfo = { url: request.url ?? '/', headers: request.headers };
    const peer: McpPeer = {
      id: randomUUID(),
      request: upgrade,
      closed$: closed.asObservable(),
      send: (message) => {
        const data = JSON.stringify(message);
        if (socket.readyState !== WebSocket.OPEN) return false;
        socket.send(data);
        return true;
      },
      close: (code = CloseCode.Normal, reason = '') => socket.close(code, reason),
      readReceipt: () => readReceipt(socket),
    };
    this.peers.set(peer.id, { peer, socket, closed });
    socket.on('error', (error) => this.options.onError(error, peer.id));
    socket.on('close', (code: number, reason: Buffer) => {
      this.peers.delete(peer.id);
      closed.next({ code, reason: reason.toString() });
      closed.complete();
    });
    socket.on('message', (data: RawData, isBinary: boolean) => this.onFrame(peer, socket, data, isBinary));
    this.options.onPeer(peer);
  }

  private onFrame(peer: McpPeer, socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      socket.close(CloseCode.UnsupportedData, 'Binary frames are not supported');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const decoded = decodeTextFrame(text);
    if (E.isLeft(decoded)) {
      const reply = jsonRpcErrorReply(decoded.left);
      if (reply) peer.send(reply);
      return;
    }
    this.options.onMessage(peer, decoded.right);
  }
}
