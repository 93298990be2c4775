import type { Readable, Writable } from 'node:stream';
import { CloseCode } from '../close-codes.js';
import { MessageTooLargeError } from '../errors.js';
import type { CloseInfo, Edge, EdgeHost, PeerLink } from './edge.js';
import { LineReader } from './line-reader.js';

/** The streams a stdio edge speaks over: a process's stdin and stdout, say. */
export interface StdioStreams {
  readonly input: Readable;
  readonly output: Writable;
}

/** Options of {@link StdioEdge}. */
export interface StdioEdgeOptions extends StdioStreams {
  /** The longest line (one message) read from `input`, bytes. A longer one ends the peer with 1009. Default 1 MiB. */
  readonly maxMessageSize?: number;
}

/** The one peer on the other end of the streams. */
class StdioLink implements PeerLink {
  readonly protocol = '';
  readonly inOrder = true;
  open = true;

  constructor(
    private readonly output: Writable,
    private readonly end: (info: CloseInfo) => void,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  get bufferedAmount(): number {
    return this.output.writableLength;
  }

  write(data: string | Buffer, written?: (error?: Error) => void): void {
    if (!this.open) {
      written?.(new Error('stdio is closed'));
      return;
    }
    // One message per line: JSON.stringify leaves no raw newline inside a message.
    this.output.write(typeof data === 'string' ? `${data}\n` : Buffer.concat([data, NEWLINE]), (error) => written?.(error ?? undefined));
  }

  close(code: number, reason: string): void {
    this.end({ code, reason });
  }

  terminate(): void {
    this.end({ code: CloseCode.Abnormal, reason: '' });
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * An edge over a pair of streams, as MCP's stdio transport: one peer, whose messages are lines of
 * JSON on `input` and whose replies are lines on `output`. The peer leaves when `input` ends (1000)
 * or sends a line over `maxMessageSize` (1009); the server closing it stops reading `input` but
 * leaves both streams open (stdout stays the process's). `ended` resolves once the peer has left.
 */
export class StdioEdge implements Edge {
  readonly url: string | undefined = undefined;
  /** Resolves with how the peer left: its input ended, it sent too much, or the server closed it. */
  readonly ended: Promise<CloseInfo>;
  private reader: LineReader | undefined;
  private finished: (info: CloseInfo) => void = () => undefined;

  constructor(private readonly options: StdioEdgeOptions) {
    this.ended = new Promise((resolve) => (this.finished = resolve));
  }

  start(host: EdgeHost): Promise<void> {
    // The server may close the link while it is still arriving (it is full): no peer to report then.
    const state: { peer: unknown; left: boolean } = { peer: undefined, left: false };
    const leave = (info: CloseInfo): void => {
      if (state.left) return;
      state.left = true;
      link.open = false;
      this.reader?.stop();
      if (state.peer !== undefined) host.left(state.peer, link, info);
      this.finished(info);
    };
    const link = new StdioLink(this.options.output, leave);
    const peer = host.arrive({
      link,
      remoteAddress: undefined,
      remotePort: undefined,
      request: { url: 'stdio:', headers: {} },
      authInfo: undefined,
      session: { kind: 'none' },
    });
    state.peer = peer;
    if (peer === undefined) {
      leave({ code: CloseCode.TryAgainLater, reason: 'Server is full' });
      return Promise.resolve();
    }
    const maxBytes = this.options.maxMessageSize ?? 1024 * 1024;
    this.reader = new LineReader(this.options.input, maxBytes, {
      line: (text) => host.frame(peer, link, text, false),
      tooLong: (bytes) => {
        host.failed(peer, link, new MessageTooLargeError(`A line of over ${maxBytes} bytes arrived on stdio (${bytes} read when it was cut off)`));
        leave({ code: CloseCode.MessageTooBig, reason: 'Message too big' });
      },
      end: (error) => {
        if (error) host.failed(peer, link, error);
        leave({ code: error ? CloseCode.Abnormal : CloseCode.Normal, reason: error ? '' : 'Input ended' });
      },
    });
    return Promise.resolve();
  }

  stopAccepting(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.reader?.stop();
    return Promise.resolve();
  }
}
