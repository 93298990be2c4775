import { describe, expect, it } from 'vitest';
import { RUN_LIMIT_MS, runExample } from '../support/run-example.js';

describe('examples/websocket-transport-demo.ts', () => {
  it(
    'walks through every scenario and exits by itself with code 0',
    async () => {
      const run = await runExample('examples/websocket-transport-demo.ts');
      const out = run.stdout;

      // Killed (signal set) means it did not exit by itself; stderr says why it failed, if it did.
      expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({ exitCode: 0, signal: null });
      expect(out).toContain('all servers and clients stopped; exiting by itself');

      // 1. Custom message handler: the routed reply, the '*' echo, and an Observable reply.
      expect(out).toContain('alice sent custom_command, got {"type":"custom_response","data":"processed"}');
      expect(out).toContain(`the '*' fallback echoed {"type":"echo","original":{"type":"greeting","text":"hello"}}`);
      expect(out).toContain('{"type":"tick","n":3} {"type":"tick","n":2} {"type":"tick","n":1}');

      // 2. Broadcasting: every client gets the notification, the caller's object is not mutated.
      expect(out).toContain('waitForClients(3) → true');
      expect(out).toContain(
        `broadcastNotification reached 3 clients; the caller's object is untouched: {"event":"server_update","data":{"status":"processing","queue_length":5}}`,
      );
      for (const name of ['alice', 'bob', 'carol']) {
        expect(out).toContain(`${name} received {"event":"server_update","data":{"status":"processing","queue_length":5},"type":"notification"}`);
        expect(out).toContain(`${name} received {"type":"announcement","message":"Server maintenance in 5 minutes"}`);
      }
      expect(out).toContain('sendMessage reached 3 clients');

      // 3. Client management.
      expect(out).toContain('getConnectedClients() → 3');
      expect(out).toContain('a late subscriber to clientCount$ gets the current count at once: 3');
      expect(out).toContain('waitForClients(4, 200) with 3 connected → false');
      expect(out).toContain('waitForClients(4) while dave connects → true');
      expect(out).toContain('sendTo(bob) → 1');
      expect(out).toContain('bob received {"type":"direct","text":"only for bob"}');
      expect(out).toContain('sendTo(an unknown id) → 0');
      expect(out).toContain(`closeClient(dave, 1000, 'demo is over for dave') → true`);
      expect(out).toContain('[server disconnections$] dave left with close code 1000 ("demo is over for dave")');
      expect(out).toContain(`dave's state$ ended in "closed"`);
      expect(out).toContain('instanceof ConnectionFailedError, closeCode 1000');
      expect(out).toContain('closeClient(dave) again → false');

      // 4. Direct transport use.
      expect(out).toContain(`[server messages$.pipe(ofType('request'))] erin asked for process_data`);
      expect(out).toContain('erin sent a request, receiveMessage() → {"type":"response","action":"process_data","result":6}');
      expect(out).toContain('server.receiveMessage() → {"type":"report","progress":"halfway"} from erin');
      expect(out).toContain('[erin messageHandler] notification: {"event":"progress","percent":50,"type":"notification"}');
      expect(out).toContain(`erin messages$.pipe(filter(isType('notification'))) → {"event":"progress","percent":50,"type":"notification"}`);

      // 5. Error handling: error replies, errors$ events, the connection kept or closed, typed client errors.
      expect(out).toContain('mallory sent "this is not json", got {"type":"error","error":"Invalid JSON message","code":"invalid_json"}');
      expect(out).toContain('mallory sent "[1, 2, 3]", got {"type":"error","error":"Message must be a JSON object","code":"not_an_object"}');
      expect(out).toContain('mallory sent a binary frame, got {"type":"error","error":"Binary frames are not supported; send JSON as text","code":"binary_frame"}');
      expect(out.match(/\[server errors\$\] invalid_frame from mallory/g)).toHaveLength(3);
      expect(out).toContain('[server errors$] handler_failed from alice (cause, server-side only: database exploded)');
      expect(out).toContain('alice sent crash (the handler throws), got {"type":"error","error":"Internal server error","code":"handler_failed"}');
      expect(out).toContain(`alice's connection stayed open: {"type":"echo","original":{"type":"greeting","text":"still there?"}}`);
      expect(out).toContain('[server errors$] message_too_large from mallory');
      expect(out).toContain('closed with 1009; the server keeps serving the others');
      expect(out).toContain('send before start() → NotConnectedError (code "not_connected")');
      expect(out).toContain('instanceof NotConnectedError: true');
      expect(out).toContain('ReceiveTimeoutError (code "timeout")');
      expect(out).toContain('instanceof ReceiveTimeoutError: true');

      // 6. Graceful stop (1001) and automatic reconnection with the queued sends delivered in order.
      expect(out).toContain('[server disconnections$] frank left with close code 1001 ("Server shutting down")');
      expect(out).toContain('[frank state$] reconnecting');
      expect(out).toContain('QueueFullError (code "queue_full")');
      expect(out).toContain('instanceof QueueFullError: true');
      expect(out).toContain(
        'frank reconnected by itself and flushed its queue in order: {"type":"report","seq":1} then {"type":"report","seq":2}',
      );
      expect(out).toContain('send after stop() → TransportStoppedError (code "stopped")');
      expect(out).toContain('instanceof TransportStoppedError: true');
    },
    RUN_LIMIT_MS + 10_000,
  );
});
