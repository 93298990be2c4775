/**
 * The server process killed with SIGKILL mid-stream and started again on the same port
 * (fixtures/streaming-server.ts): every WebSocketClientTransport reconnects by itself, delivers what
 * was sent while the server was down in order, and carries on with the new process's stream. The
 * replay log died with the process, so each client must be told its session is gone (session$
 * `expired`, a SessionExpiredError) rather than resume with a silent gap.
 */
import { filter, firstValueFrom, take, toArray, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import { SessionExpiredError, type ClientState, type SessionOutcome, type TransportError } from '../../../src/transport/index.js';
import { closeAll } from '../../support/resources.js';
import { createClient, nextValues, unusedPort, within } from '../../support/sockets.js';
import { FixtureProcess } from './child-process.js';

afterEach(closeAll);

const CLIENTS = 4;
const QUEUED = 5;
/** A process start (tsx compiles on the fly) can take a while on a busy machine. */
const RESTART_WITHIN = 20_000;

const isTickOf =
  (generation: number) =>
  (message: JsonObject): boolean =>
    message['event'] === 'tick' && message['generation'] === generation;

function eventually<T>(source$: Observable<T>, predicate: (value: T) => boolean, what: string): Promise<T> {
  return firstValueFrom(source$.pipe(filter(predicate), within(what, RESTART_WITHIN)));
}

/** The messages a fixture server received, in arrival order, as `{ clientId, message }`. */
function receivedBy(server: FixtureProcess, count: number): Promise<{ clientId: string; message: JsonObject }[]> {
  const messages$ = server.messages$.pipe(filter((line) => line['event'] === 'message')) as Observable<{ clientId: string; message: JsonObject }>;
  // Its deadline runs from before the process is up, so it allows for a slow start too.
  return firstValueFrom(messages$.pipe(take(count), toArray(), within(`${count} messages at the fixture server`, RESTART_WITHIN)));
}

async function connectClient(url: string, index: number) {
  const client = createClient(url, { reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 10_000 } });
  const states: ClientState[] = [];
  const sessions: SessionOutcome[] = [];
  const errors: TransportError[] = [];
  client.state$.subscribe((state) => states.push(state));
  client.session$.subscribe((outcome) => sessions.push(outcome));
  client.errors$.subscribe((error) => errors.push(error));
  const firstSession = eventually(client.session$, () => true, 'the first session');
  await client.start();
  await firstSession;
  return { index, client, states, sessions, errors };
}

describe('the server process killed with SIGKILL and restarted', () => {
  it('clients reconnect by themselves, deliver queued sends in order, are told their session expired, and carry on', async () => {
    const port = await unusedPort();
    const url = `ws://127.0.0.1:${port}`;
    const first = FixtureProcess.start('streaming-server.ts', [String(port), '1']);
    await first.event('listening', RESTART_WITHIN);

    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => connectClient(url, index)));
    // The first process's stream reaches everyone, and everyone is heard by it.
    await Promise.all(clients.map(({ client }) => nextValues(client.messages$.pipe(filter(isTickOf(1))), 10, 'ticks of the first process')));
    const heardByFirst = receivedBy(first, CLIENTS);
    await Promise.all(clients.map(({ client, index }) => client.sendMessage({ type: 'hello', client: index, seq: 0 })));
    expect((await heardByFirst).map(({ message }) => message['client']).sort()).toEqual([0, 1, 2, 3]);
    for (const { sessions } of clients) expect(sessions).toEqual([{ resumed: false, replayed: 0, expired: false }]);

    const reconnecting = clients.map(({ client }) => eventually(client.state$, (state) => state === 'reconnecting', 'reconnecting'));
    const expired = clients.map(({ client }) => eventually(client.session$, (outcome) => outcome.expired, 'the expired session'));
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(reconnecting);

    // Sent while nothing listens on the port: they wait in each client's queue.
    const queued = clients.flatMap(({ client, index }) =>
      Array.from({ length: QUEUED }, (_, k) => client.sendMessage({ type: 'queued', client: index, seq: k + 1 })),
    );
    const second = FixtureProcess.start('streaming-server.ts', [String(port), '2']);
    const heardBySecond = receivedBy(second, CLIENTS * (QUEUED + 1));
    // Awaited below; should the start fail first, its rejection is not left unheard meanwhile.
    heardBySecond.catch(() => undefined);
    await second.event('listening', RESTART_WITHIN);

    await Promise.all(queued);
    for (const outcome of await Promise.all(expired)) expect(outcome).toEqual({ resumed: false, replayed: 0, expired: true });
    await Promise.all(clients.map(({ client }) => eventually(client.state$, (state) => state === 'open', 'open again')));
    await Promise.all(clients.map(({ client }) => nextValues(client.messages$.pipe(filter(isTickOf(2))), 10, 'ticks of the second process')));
    await Promise.all(clients.map(({ client, index }) => client.sendMessage({ type: 'after', client: index, seq: QUEUED + 1 })));

    // Per client: the queued sends first, in order, on one connection, then what was sent after.
    const received = await heardBySecond;
    for (const { index } of clients) {
      const mine = received.filter(({ message }) => message['client'] === index);
      expect(mine.map(({ message }) => message['seq'])).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(mine.map(({ clientId }) => clientId)).size).toBe(1);
    }
    for (const { states, sessions, errors } of clients) {
      expect(states).toEqual(['closed', 'connecting', 'open', 'reconnecting', 'open']);
      expect(sessions).toEqual([
        { resumed: false, replayed: 0, expired: false },
        { resumed: false, replayed: 0, expired: true },
      ]);
      expect(errors.map((error) => error.code)).toEqual(['session_expired']);
      expect(errors[0]).toBeInstanceOf(SessionExpiredError);
    }
  }, 60_000);
});
