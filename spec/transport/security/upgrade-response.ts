/**
 * What a plain ws client sees of the HTTP upgrade: 101 and the response headers when it succeeds,
 * the status, headers and body of the refusal (ws's 'unexpected-response') when it does not.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientOptions } from 'ws';
import { RawClient } from '../../support/sockets.js';

export interface UpgradeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly client: RawClient;
}

/** Attempts an upgrade and reports the server's answer; the client is closed by `closeAll`. */
export function upgradeResponse(url: string, protocols?: string | string[], options?: ClientOptions): Promise<UpgradeResponse> {
  const client = RawClient.connect(url, protocols, options);
  return new Promise<UpgradeResponse>((resolve, reject) => {
    client.socket.once('upgrade', (response) => {
      client.socket.once('open', () => resolve({ status: 101, headers: response.headers, body: '', client }));
    });
    client.socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, client }));
    });
    client.socket.once('error', reject);
  });
}
