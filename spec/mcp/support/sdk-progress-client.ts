/**
 * Run in its own process (`node --import tsx`): the official SDK client calls the tool `burst`
 * (three progress notifications, then the result) and prints one JSON line with what it saw:
 * `{ calls, progress, callsMissingProgress }`. In a process of its own, the client reads the
 * socket on its own schedule, as a real one does.
 *
 * Arguments: the server's URL, how many calls, how many at once.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { WebSocket } from 'ws';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const [url = '', callsArg = '100', concurrencyArg = '1'] = process.argv.slice(2);
const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);

const client = new Client({ name: 'sdk-progress-client', version: '1.0.0' });
await client.connect(new WebSocketClientTransport(new URL(url)));
let progress = 0;
let callsMissingProgress = 0;
let started = 0;

async function worker(): Promise<void> {
  while (started < calls) {
    started += 1;
    let seen = 0;
    await client.callTool({ name: 'burst', arguments: {} }, undefined, {
      onprogress: () => {
        seen += 1;
        progress += 1;
      },
    });
    if (seen < 3) callsMissingProgress += 1;
  }
}

await Promise.all(Array.from({ length: concurrency }, () => worker()));
console.log(JSON.stringify({ calls, progress, callsMissingProgress }));
await client.close();
