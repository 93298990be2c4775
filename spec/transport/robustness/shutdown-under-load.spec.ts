/**
 * `stop({ drainMs })` while clients keep requests coming at a server whose handler takes a while.
 * A ledger on the server side records which calls started, completed, or were cancelled, and whether
 * the client's socket was still open when each completed. What must hold: a reply the client got is
 * for a call that really completed; a call completed while its client was connected is never lost;
 * a call still running at the deadline is cancelled and gets no reply, from this server or any later
 * one; clients see 1001, reconnect by themselves to a new server on the same port, and what they send
 * from then on is all answered.
 */
import { filter, finalize, firstValueFrom, interval, map, startWith, Subject, timer, type Observable, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/protocol/index.js';
import {
  CloseCode,
  type ClientConnection,
  type ClientState,
  type Disconnection,
  type MessageHandler,
  type WebSocketClientTransport,
} from '../../../src/transport/index.js';
import { closeAll, track } from '../../support/resources.js';
import { nextValue, nextValues, portOf, RawClient, startClient, startServer, within } from '../../support/sockets.js';

afterEach(closeAll);

/** What one server did with each request id. */
class Ledger {
  readonly started = new Set<string>();
  readonly completed = new Set<string>();
  /** Completed while the requesting client's socket was open: its reply must arrive. */
  readonly completedWhileOpen = new Set<string>();
  readonly cancelled = new Set<string>();
  private readonly completions = new Subject<string>();
  readonly completions$: Observable<string> = this.completions.asObservable();

  /**
   * A handler that works `delayMs` before replying `{ type: 'reply', id, server }`, or forever for
   * `{ forever: true }`; unsubscribed (cancelled) when its connection ends.
   */
  handler(server: number, delayMs: number): MessageHandler<ClientConnection> {
    return (message, client) => {
      const id = String(message['id']);
      this.started.add(id);
      return timer(message['forever'] === true ? 600_000 : delayMs).pipe(
        map(() => {
          this.completed.add(id);
          if (client.isOpen) this.completedWhileOpen.add(id);
          this.completions.next(id);
          return { type: 'reply', id, server };
        }),
        finalize(() => {
          if (!this.completed.has(id)) this.cancelled.add(id);
        }),
      );
    };
  }
}

type LogEntry = { readonly kind: 'reply'; readonly id: string; readonly server: number } | { readonly kind: 'state'; readonly state: ClientState };

/** One of our clients, with everything it saw in order and every request it sent. */
async function loggedClient(url: string, name: string) {
  const client = await startClient(url, { reconnect: { initialDelay: 20, maxDelay: 100, maxRetries: 1000 } });
  const log: LogEntry[] = [];
  let dropped = false;
  client.state$.subscribe((state) => {
    if (state === 'reconnecting') dropped = true;
    log.push({ kind: 'state', state });
  });
  client.messages$.subscribe((message) => {
    if (message['type'] === 'reply') log.push({ kind: 'reply', id: String(message['id']), server: Number(message['server']) });
  });
  const sends: Promise<void>[] = [];
  /** Ids sent once the client knew its connection was gone: each must be answered by the next server. */
  const sentAfterDrop: string[] = [];
  let k = 0;
  const send = (extra: JsonObject = {}): string => {
    const id = `${name}-${k++}`;
    if (dropped) sentAfterDrop.push(id);
    const sent = client.sendMessage({ type: 'request', id, ...extra });
    // Checked together at the end; marked handled here so a failed test does not add unhandled rejections.
    sent.catch(() => undefined);
    sends.push(sent);
    return id;
  };
  const replies = (server: number): LogEntry[] => log.filter((entry) => entry.kind === 'reply' && entry.server === server);
  return { client, name, log, sends, sentAfterDrop, send, replies };
}

/** Resolves once `client` has a reply for every id in `ids` (at once if it has them all). */
function answered(client: WebSocketClientTransport, log: LogEntry[], ids: readonly string[], what: string): Promise<unknown> {
  const has = (): boolean => ids.every((id) => log.some((entry) => entry.kind === 'reply' && entry.id === id));
  return firstValueFrom(client.messages$.pipe(startWith(undefined), filter(has), within(what, 10_000)));
}

/** Every reply from `server` came before the first sign that the connection to it was lost. */
function expectNoReplyAfterDrop(log: LogEntry[], server: number): void {
  const drop = log.findIndex((entry) => entry.kind === 'state' && entry.state === 'reconnecting');
  expect(drop).toBeGreaterThan(0);
  const late = log.slice(drop).filter((entry) => entry.kind === 'reply' && entry.server === server);
  expect(late).toEqual([]);
}

describe('stop({ drainMs }) deadline', () => {
  it('cancels a call still running at the deadline then, even while its client is slow to finish the close handshake', async () => {
    const outcome = new Subject<'completed' | 'cancelled'>();
    let completed = false;
    const { server, url } = await startServer({
      stopGraceMs: 5000,
      messageHandler: () =>
        timer(400).pipe(
          map(() => {
            completed = true;
            outcome.next('completed');
            return { type: 'too-late' };
          }),
          finalize(() => {
            if (!completed) outcome.next('cancelled');
          }),
        ),
    });
    const raw = await RawClient.open(url);
    raw.sendJson({ type: 'slow' });
    await nextValue(server.messages$);
    // Not reading: the 1001 close frame waits unanswered, as with a busy or distant client.
    raw.socket.pause();
    const ended = nextValue(outcome, () => true, 'the call to end');
    const stopping = server.stop({ drainMs: 20 });
    expect(await ended).toBe('cancelled');
    raw.socket.resume();
    await stopping;
    expect((await raw.closed).code).toBe(CloseCode.GoingAway);
  });
});

describe('stop({ drainMs }) under load', () => {
  it('lets every call in flight finish and reply before 1001; clients move on to a new server on the same port', async () => {
    const ledger = new Ledger();
    const { server, url } = await startServer({ messageHandler: ledger.handler(1, 50) });
    const port = portOf(server);
    const clients = await Promise.all(['a', 'b', 'c'].map((name) => loggedClient(url, name)));
    const raw = await RawClient.open(url);
    const byeCodes: Promise<Disconnection[]> = nextValues(server.disconnections$, 4, 'every client to be closed');

    const allStarted = nextValues(server.messages$, 4 * 20, 'all 80 requests at the server');
    for (const client of clients) for (let i = 0; i < 20; i += 1) client.send();
    for (let i = 0; i < 20; i += 1) raw.sendJson({ type: 'request', id: `raw-${i}` });
    await allStarted;
    expect(ledger.started.size).toBe(80);

    // Far more than the calls need: the drain ends when they are done, not at the deadline.
    await server.stop({ drainMs: 10_000 });
    expect(ledger.completed.size).toBe(80);
    expect(ledger.cancelled.size).toBe(0);
    expect((await byeCodes).map(({ code }) => code)).toEqual([1001, 1001, 1001, 1001]);
    const rawReplies: unknown[] = [];
    for (let i = 0; i < 20; i += 1) rawReplies.push(await raw.next());
    expect(rawReplies).toEqual(Array.from({ length: 20 }, (_, i) => ({ type: 'reply', id: `raw-${i}`, server: 1 })));
    expect((await raw.closed).code).toBe(CloseCode.GoingAway);

    const next = new Ledger();
    await startServer({ port, messageHandler: next.handler(2, 5) });
    for (const { client, log, replies, send } of clients) {
      expect(replies(1)).toHaveLength(20);
      await nextValue(client.state$, (state) => state === 'open', 'the client to reconnect');
      expectNoReplyAfterDrop(log, 1);
      await answered(client, log, [send()], 'a reply from the new server');
      expect(replies(2)).toHaveLength(1);
    }
  });

  it('cancels what still runs at the deadline, never loses a completed reply, and carries on with the next server', async () => {
    const ledger = new Ledger();
    const { server, url } = await startServer({ messageHandler: ledger.handler(1, 30) });
    const port = portOf(server);
    const clients = await Promise.all(['a', 'b', 'c', 'd'].map((name) => loggedClient(url, name)));
    const raw = await RawClient.open(url);
    raw.sendJson({ type: 'request', id: 'raw-forever', forever: true });
    const byes: Disconnection[] = [];
    server.disconnections$.subscribe((event) => byes.push(event));

    // Calls that can only end by being cancelled, then a steady stream of ordinary ones.
    const forever = clients.map((client) => client.send({ forever: true }));
    const streams: Subscription[] = clients.map((client) => track(interval(3).subscribe(() => client.send()), (stream) => stream.unsubscribe()));
    await nextValues(ledger.completions$, 40, 'the server to be under load');

    await server.stop({ drainMs: 100 });
    const answeredByFirst = new Set(clients.flatMap(({ replies }) => replies(1).map((entry) => (entry.kind === 'reply' ? entry.id : ''))));
    expect([...ledger.started].every((id) => ledger.completed.has(id) !== ledger.cancelled.has(id))).toBe(true);
    for (const id of [...forever, 'raw-forever']) expect(ledger.cancelled).toContain(id);
    expect((await raw.closed).code).toBe(CloseCode.GoingAway);
    expect(byes.map(({ code }) => code)).toEqual(Array.from({ length: 5 }, () => 1001));

    const next = new Ledger();
    await startServer({ port, messageHandler: next.handler(2, 5) });
    await Promise.all(clients.map(({ client }) => nextValue(client.state$, (state) => state === 'open', 'the client to reconnect')));
    // Carry on: each client's stream is being answered by the new server.
    await Promise.all(clients.map(({ client, replies }) => nextValue(client.messages$, () => replies(2).length >= 10, 'ten replies from the new server')));
    for (const stream of streams) stream.unsubscribe();
    await Promise.all(clients.map(({ client, log, sentAfterDrop }) => answered(client, log, sentAfterDrop, 'every request sent after the drop')));
    await Promise.all(clients.flatMap(({ sends }) => sends));

    for (const { log, sentAfterDrop, replies } of clients) {
      expectNoReplyAfterDrop(log, 1);
      const ids1 = replies(1).map((entry) => (entry.kind === 'reply' ? entry.id : ''));
      const ids2 = replies(2).map((entry) => (entry.kind === 'reply' ? entry.id : ''));
      // A reply is for a call that really completed, and comes once.
      for (const id of ids1) expect(ledger.completed).toContain(id);
      for (const id of ids2) expect(next.completed).toContain(id);
      expect(new Set([...ids1, ...ids2]).size).toBe(ids1.length + ids2.length);
      expect(sentAfterDrop.length).toBeGreaterThan(0);
      for (const id of sentAfterDrop) expect(ids2).toContain(id);
    }
    // Nothing completed while its client was connected went missing.
    for (const id of ledger.completedWhileOpen) expect(answeredByFirst).toContain(id);
  });
});
