/**
 * The transport tour (examples/websocket-transport-demo.ts): what each of its scenarios did, from
 * the report `tour()` returns; and that the script runs and exits by itself as the docs say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionFailedError,
  NotConnectedError,
  QueueFullError,
  ReceiveTimeoutError,
  TransportStoppedError,
} from '../../src/index.js';
import { tour, type TourReport } from '../../examples/websocket-transport-demo.js';
import { RUN_LIMIT_MS, runExample } from '../support/run-example.js';

describe('examples/websocket-transport-demo.ts', () => {
  let report: TourReport;

  beforeAll(async () => {
    report = await tour(() => undefined);
  }, RUN_LIMIT_MS);

  it('1. routes by type: a reply, the fallback echo, three replies from an Observable handler', () => {
    expect(report.handler).toEqual({
      routed: { type: 'custom_response', data: 'processed' },
      fallback: { type: 'echo', original: { type: 'greeting', text: 'hello' } },
      countdown: [3, 2, 1].map((n) => ({ type: 'tick', n })),
    });
  });

  it('2. broadcasts to every client, typed as notifications, without touching the caller’s object', () => {
    const update = { event: 'server_update', data: { status: 'processing', queue_length: 5 } };
    const announcement = { type: 'announcement', message: 'Server maintenance in 5 minutes' };
    expect(report.broadcasting).toEqual({
      allThree: true,
      notified: 3,
      update,
      notification: { alice: { ...update, type: 'notification' }, bob: { ...update, type: 'notification' }, carol: { ...update, type: 'notification' } },
      announced: 3,
      announcement: { alice: announcement, bob: announcement, carol: announcement },
    });
  });

  it('3. manages clients: counts, waits, direct sends, and a close with 1000 that ends the client for good', () => {
    const { daveError, ...management } = report.management;
    expect(management).toEqual({
      connected: 3,
      clients: ['alice', 'bob', 'carol'].map((name) => ({ name, remoteAddress: '127.0.0.1', path: '/' })),
      lateSubscriberSaw: 3,
      fourWithin200ms: false,
      fourOnceDaveCame: true,
      sentToBob: 1,
      bobReceived: { type: 'direct', text: 'only for bob' },
      sentToUnknown: 0,
      closedDave: true,
      daveFinalState: 'closed',
      closedDaveAgain: false,
    });
    expect(daveError).toBeInstanceOf(ConnectionFailedError);
    expect(daveError).toMatchObject({ code: 'connection_failed', closeCode: 1000 });
    expect(report.server.departures).toContainEqual({ name: 'dave', code: 1000, reason: 'demo is over for dave' });
  });

  it('4. sees the same message on every path: messages$, receiveMessage() and the messageHandler', () => {
    const progress = { event: 'progress', percent: 50, type: 'notification' };
    expect(report.direct).toEqual({
      requestSeen: { from: 'erin', action: 'process_data' },
      reply: { type: 'response', action: 'process_data', result: 6 },
      serverReceived: { from: 'erin', message: { type: 'report', progress: 'halfway' } },
      erinReceived: progress,
      erinStreamSaw: progress,
      erinHandlerSaw: [progress],
    });
  });

  it('5. answers bad frames and a failing handler with error replies, closes an oversized message with 1009, keeps the others', () => {
    const { sendBeforeStart, receiveTimeout, ...errors } = report.errors;
    expect(errors).toEqual({
      replies: {
        notJson: { type: 'error', error: 'Invalid JSON message', code: 'invalid_json' },
        notAnObject: { type: 'error', error: 'Message must be a JSON object', code: 'not_an_object' },
        binary: { type: 'error', error: 'Binary frames are not supported; send JSON as text', code: 'binary_frame' },
      },
      crashed: { type: 'error', error: 'Internal server error', code: 'handler_failed' },
      stillThere: { type: 'echo', original: { type: 'greeting', text: 'still there?' } },
      tooBigCloseCode: 1009,
    });
    expect(report.server.errors).toEqual([
      { code: 'invalid_frame', from: 'mallory' },
      { code: 'invalid_frame', from: 'mallory' },
      { code: 'invalid_frame', from: 'mallory' },
      { code: 'handler_failed', from: 'alice', cause: 'database exploded' },
      { code: 'message_too_large', from: 'mallory', cause: 'Max payload size exceeded' },
    ]);
    expect(report.server.departures).toContainEqual({ name: 'mallory', code: 1009, reason: 'Message too big' });
    expect(sendBeforeStart).toBeInstanceOf(NotConnectedError);
    expect(sendBeforeStart).toMatchObject({ code: 'not_connected' });
    expect(receiveTimeout).toBeInstanceOf(ReceiveTimeoutError);
    expect(receiveTimeout).toMatchObject({ code: 'timeout' });
  });

  it('6. stops with 1001; the client queues while reconnecting, refuses past its queue, flushes in order, refuses after stop()', () => {
    const { queueFull, sendAfterStop, frankStates, flushed } = report.reconnection;
    expect(report.server.departures).toContainEqual({ name: 'frank', code: 1001, reason: 'Server shutting down' });
    for (const name of ['alice', 'bob', 'carol', 'erin']) expect(report.server.departures).toContainEqual({ name, code: 1000, reason: '' });
    expect(frankStates).toEqual(['open', 'reconnecting', 'open', 'closed']);
    expect(queueFull).toBeInstanceOf(QueueFullError);
    expect(queueFull).toMatchObject({ code: 'queue_full' });
    expect(flushed).toEqual([
      { type: 'report', seq: 1 },
      { type: 'report', seq: 2 },
    ]);
    expect(sendAfterStop).toBeInstanceOf(TransportStoppedError);
    expect(sendAfterStop).toMatchObject({ code: 'stopped' });
  });

  it(
    'runs as a script (node + tsx) and exits by itself with code 0',
    async () => {
      const run = await runExample('examples/websocket-transport-demo.ts');
      // Killed (signal set) means it did not exit by itself; stderr says why it failed, if it did.
      expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({ exitCode: 0, signal: null });
    },
    RUN_LIMIT_MS + 10_000,
  );
});
