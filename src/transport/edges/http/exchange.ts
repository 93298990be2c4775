import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * One HTTP request as the Streamable HTTP edge reads it: Node's `IncomingMessage` for HTTP/1.1,
 * `Http2ServerRequest` for HTTP/2 (over TLS). Only what both have.
 */
export interface HttpRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly socket: IncomingMessage['socket'];
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(error?: Error): unknown;
}

/** The response side: `ServerResponse` or `Http2ServerResponse`. */
export interface HttpResponse {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableLength: number;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: string | Buffer, callback?: (error?: Error | null) => void): boolean;
  end(chunk?: string | Buffer): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/** Why a body could not be read. */
export type BodyProblem = 'too_large' | 'aborted';

/** Reads a request body up to `limit` bytes; past it (or if the client goes) resolves with the problem instead. */
export function readBody(request: HttpRequest, limit: number): Promise<Buffer | BodyProblem> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (result: Buffer | BodyProblem): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    request.on('data', (chunk) => {
      if (done) return;
      length += chunk.length;
      if (length > limit) {
        finish('too_large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => finish(Buffer.concat(chunks, length)));
    request.on('close', () => finish('aborted'));
    request.on('error', () => finish('aborted'));
  });
}

/** Answers with a status and a JSON body (or none). */
export function respondJson(response: HttpResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Answers with a status and a short fixed text body: nothing from the request is echoed. */
export function respondText(response: HttpResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Whether an `Accept` header admits `type` (or `*\/*`). */
export function accepts(headers: IncomingHttpHeaders, type: string): boolean {
  const accept = headers.accept;
  if (accept === undefined) return false;
  return accept.split(',').some((entry) => {
    const media = entry.split(';')[0]?.trim().toLowerCase();
    return media === type || media === '*/*';
  });
}

/** A header's value, the first if it was sent more than once. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
