import {
  asyncScheduler,
  firstValueFrom,
  fromEvent,
  map,
  merge,
  Subject,
  take,
  throwError,
  timeout,
  finalize,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { isErrorResponse, type JsonObject, type JsonRpcResponse, type RequestId } from '../protocol/index.js';
import { McpError, RequestTimeoutError } from './mcp-error.js';

/** How one outgoing request is sent and bounded. */
export interface OutgoingRequest {
  readonly method: string;
  /** Builds the params once the id is known (a progress token may reuse it). */
  readonly params?: (id: number) => JsonObject | undefined;
  /** The caller's timeout, ms: what a `RequestTimeoutError` and the cancellation reason name. */
  readonly timeoutMs: number;
  /** How long to wait for the reply, ms, when part of `timeoutMs` went on waiting before the send (for a session). Default `timeoutMs`. */
  readonly remainingMs?: number;
  readonly signal?: AbortSignal;
  /** Writes the request; a rejection fails the call with that error. */
  readonly send: (id: number, method: string, params: JsonObject | undefined) => unknown;
  /** Called when the call gives up without a reply (timeout or abort), to tell the peer. */
  readonly onAbandoned?: (id: number, reason: string) => void;
}

/** A string key for an id: `1` and `"1"` are different requests. */
export function requestKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/**
 * Matches replies to requests by id, never by order. Each request is a `firstValueFrom` over its
 * reply stream with a timeout and an optional abort signal; `failAll` ends every waiting call with
 * one error (the connection dropped), so nothing waits forever.
 */
export class RequestCorrelator {
  private nextId = 1;
  private readonly pending = new Map<string, Subject<JsonRpcResponse>>();

  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  /** How many requests are waiting for a reply. */
  get size(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its `result`; rejects with `McpError` for an error reply. */
  request(request: OutgoingRequest): Promise<JsonObject> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const id = this.nextId++;
    const key = requestKey(id);
    const reply = new Subject<JsonRpcResponse>();
    this.pending.set(key, reply);
    const aborted$: Observable<never> = signal
      ? fromEvent(signal, 'abort').pipe(
          take(1),
          map(() => {
            request.onAbandoned?.(id, reasonText(signal));
            throw abortReason(signal);
          }),
        )
      : new Subject<never>();
    const result = firstValueFrom(
      merge(reply, aborted$).pipe(
        take(1),
        map((response) => {
          if (isErrorResponse(response)) throw McpError.fromJsonRpc(response.error);
          return response.result;
        }),
        timeout({
          first: request.remainingMs ?? request.timeoutMs,
          scheduler: this.scheduler,
          with: () => {
            request.onAbandoned?.(id, `Request timed out after ${request.timeoutMs} ms`);
            return throwError(() => new RequestTimeoutError(`${request.method} (request ${id}) got no reply within ${request.timeoutMs} ms`, request.timeoutMs));
          },
        }),
        finalize(() => this.pending.delete(key)),
      ),
    );
    try {
      const sent = request.send(id, request.method, request.params?.(id));
      if (sent instanceof Promise) sent.catch((error: unknown) => reply.error(error));
    } catch (error) {
      reply.error(error);
    }
    return result;
  }

  /**
   * Numbers the requests from `first` on (before any is sent): a session that several nodes serve
   * gives each node its own range, so that a reply is never taken for another node's request.
   */
  numberFrom(first: number): void {
    if (this.nextId === 1 && this.pending.size === 0) this.nextId = first;
  }

  /** Routes a reply to its waiting request. Returns false for an id nobody waits for. */
  accept(response: JsonRpcResponse): boolean {
    if (response.id === undefined) return false;
    const reply = this.pending.get(requestKey(response.id));
    if (!reply) return false;
    reply.next(response);
    return true;
  }

  /** Fails every waiting request with `error` (the connection is gone). */
  failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const reply of waiting) reply.error(error);
  }
}

/** The signal's reason when it is an Error (as `fetch` does), else an `AbortError` carrying it as text. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

function reasonText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'Cancelled by the caller';
}
