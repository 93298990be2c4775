/**
 * A `fetch` that opens a new TCP connection for every request (no keep-alive), over `node:http`:
 * behind a round-robin TCP balancer each request of one client lands on the next node, as behind
 * an HTTP balancer without stickiness. For the SDK's StreamableHTTPClientTransport (`fetch` option).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';

/** A fresh-connection `fetch`: a request body must be a string (the SDK sends JSON text). */
export function freshConnectionFetch(): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => (headers[name] = value));
      const request = httpRequest(new URL(url), { method, headers, agent: false }, (response) => {
        const status = response.statusCode ?? 0;
        const empty = status === 204 || status === 304 || method === 'HEAD';
        // Readable.toWeb gives a web ReadableStream of the body, ended or errored with the response.
        const body = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        response.once('close', () => init.signal?.removeEventListener('abort', abort));
        resolve(new Response(body, { status, headers: headersOf(response.headers) }));
      });
      const abort = (): void => {
        request.destroy(new DOMException('This operation was aborted', 'AbortError'));
      };
      if (init.signal?.aborted === true) return abort();
      init.signal?.addEventListener('abort', abort, { once: true });
      request.once('error', (error) => {
        init.signal?.removeEventListener('abort', abort);
        reject(error);
      });
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
}

function headersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}
