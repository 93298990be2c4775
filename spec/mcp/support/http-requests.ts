/**
 * Raw Streamable HTTP requests for tests that look at the wire: a POST with the headers an MCP
 * client sends, and a GET stream read event by event. Every stream opened here is closed by
 * `closeAll()` (spec/support/resources.ts).
 */
import { request as httpRequest } from 'node:http';
import { track } from '../../support/resources.js';

export interface Posted {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

/** POSTs one message (an object as JSON, a string as it is) with MCP's Accept and Content-Type unless overridden. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * POSTs with headers that `fetch` will not send as given (`Host`, `Origin`): over `node:http`,
 * which sends exactly what it is told. Resolves with the status.
 */
export function postRaw(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

export interface ServerSentEvent {
  readonly id: string;
  readonly data: unknown;
}

/** A GET stream, read one event at a time. */
export interface EventReader {
  next(): Promise<ServerSentEvent>;
  /** Resolves true once a read found that the server ended the stream. */
  readonly ended: Promise<boolean>;
  close(): void;
}

/**
 * Opens a GET stream (or resumes one with `last-event-id`), or with `body` POSTs it and reads the
 * response as it streams; fails unless it is a 200 event stream.
 */
export async function openEvents(url: string, headers: Record<string, string>, body?: unknown): Promise<EventReader> {
  const controller = new AbortController();
  const init: RequestInit =
    body === undefined
      ? { headers: { accept: 'text/event-stream', ...headers } }
      : { method: 'POST', headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  const response = await fetch(url, { ...init, signal: controller.signal });
  if (response.status !== 200 || response.headers.get('content-type') !== 'text/event-stream' || !response.body) {
    throw new Error(`GET answered ${response.status} ${response.headers.get('content-type') ?? ''}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let resolveEnded: (ended: boolean) => void = () => undefined;
  const ended = new Promise<boolean>((resolve) => (resolveEnded = resolve));
  const readEvent = async (): Promise<ServerSentEvent> => {
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const field = (name: string): string | undefined => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = field('data');
        if (data !== undefined) return { id: field('id') ?? '', data: JSON.parse(data) as unknown };
        continue;
      }
      const chunk = await reader.read();
      if (chunk.done) {
        resolveEnded(true);
        throw new Error('the stream ended');
      }
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  const close = (): void => controller.abort();
  const events: EventReader = { next: readEvent, ended, close };
  track(events, (e) => {
    e.close();
    return Promise.resolve();
  });
  return events;
}
