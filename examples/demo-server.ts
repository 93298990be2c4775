/**
 * The main job: a WebSocket server you can talk to. It echoes every message, answers
 * `{ "type": "custom_command" }`, and broadcasts the client count whenever it changes.
 *
 *   npm start                       # ws://127.0.0.1:3001 (HOST / PORT override)
 *   npx wscat -c ws://127.0.0.1:3001 # then type {"type":"custom_command"}
 */
import { skip } from 'rxjs';
import { WebSocketServerTransport } from '../src/index.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const port = Number(process.env['PORT'] ?? 3001);

const transport = new WebSocketServerTransport({
  host,
  port,
  messageHandler: {
    custom_command: () => ({ type: 'custom_response', data: 'processed' }),
    '*': (message) => ({ type: 'echo', original: message }),
  },
});

transport.clientCount$.pipe(skip(1)).subscribe((clients) => {
  console.log(`clients: ${clients}`);
  void transport.broadcastNotification({ event: 'client_count', data: { clients } });
});
transport.errors$.subscribe(({ error, clientId }) => console.warn(`[${error.code}] ${clientId ?? '-'}: ${error.message}`));

await transport.start();
console.log(`demo server listening on ${transport.url ?? ''} (Ctrl-C to stop)`);

const shutdown = (): void => {
  console.log('stopping…');
  transport.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
