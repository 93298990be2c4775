/**
 * A guided tour of the transport: one server, a handful of clients, the main scenarios of the user
 * guide (docs/transport.md) run for real on 127.0.0.1 and explained as they happen.
 *
 *   npx tsx examples/websocket-transport-demo.ts
 *
 * Sections: 1 custom message handler · 2 broadcasting · 3 client management · 4 direct transport
 * use · 5 error handling · 6 graceful stop and automatic reconnection. The program stops every
 * server and client it starts and exits by itself with code 0. `tour()` runs the same scenarios and
 * returns what it saw, section by section (spec/examples checks it).
 */
import { once } from 'node:events';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, lastValueFrom, of, take, toArray, map } from 'rxjs';
import { WebSocket } from 'ws';
import {
  ConnectionFailedError,
  NotConnectedError,
  QueueFullError,
  ReceiveTimeoutError,
  TransportError,
  TransportStoppedError,
  WebSocketClientTransport,
  WebSocketServerTransport,
  isType,
  ofType,
  type ClientState,
  type ClientTransportOptions,
  type JsonObject,
} from '../src/index.js';

const HOST = '127.0.0.1';
const WAIT_MS = 5_000; // generous: a reply on loopback takes about a millisecond

type Log = (line: string) => void;

const show = (value: unknown): string => JSON.stringify(value);
const describeError = (error: unknown): string =>
  error instanceof TransportError ? `${error.name} (code "${error.code}"): ${error.message}` : String(error);
/** What a promise rejected with (`undefined` if it did not): the tour's failures are values to show. */
const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

// ---------------------------------------------------------------------------------------------
// The server: a handler map instead of one big switch. Each entry may answer with a value, a
// Promise or an Observable, or with nothing at all (no reply). '*' catches every other type.
// ---------------------------------------------------------------------------------------------
const handlers = {
  custom_command: () => ({ type: 'custom_response', data: 'processed' }),
  request: async (message: JsonObject) => {
    const data = Array.isArray(message['data']) ? message['data'].filter((n): n is number => typeof n === 'number') : [];
    await Promise.resolve(); // stands in for real asynchronous work
    return { type: 'response', action: message['action'], result: data.reduce((sum, n) => sum + n, 0) };
  },
  countdown: () => of(3, 2, 1).pipe(map((n) => ({ type: 'tick', n }))),
  report: () => undefined,
  crash: () => {
    throw new Error('database exploded');
  },
  '*': (message: JsonObject) => ({ type: 'echo', original: message }),
};

/** Runs the six sections in order, printing each step with `log`; returns what it saw, section by section. */
export async function tour(log: Log = console.log) {
  const stage = new Stage(log);
  try {
    await stage.server.start();
    log(`server listening on ${stage.server.url ?? '?'}`);
    const report = {
      handler: await customHandler(stage),
      broadcasting: await broadcasting(stage),
      management: await clientManagement(stage),
      direct: await directUse(stage),
      errors: await errorHandling(stage),
      reconnection: await stopAndReconnect(stage),
      server: stage.seen,
    };
    log('\nall servers and clients stopped; exiting by itself');
    return report;
  } finally {
    await stage.stopEverything(); // already done when the tour got to its end
  }
}

/** What `tour()` saw: the values it printed. */
export type TourReport = Awaited<ReturnType<typeof tour>>;

async function customHandler(stage: Stage) {
  const { log } = stage;
  stage.section('1. Custom message handler');
  const alice = await stage.connect('alice');

  await alice.sendMessage({ type: 'custom_command' });
  const routed = await alice.receiveMessage(WAIT_MS);
  log(`alice sent custom_command, got ${show(routed)}`);

  await alice.sendMessage({ type: 'greeting', text: 'hello' });
  const fallback = await alice.receiveMessage(WAIT_MS);
  log(`alice sent an unrouted greeting, the '*' fallback echoed ${show(fallback)}`);

  await alice.sendMessage({ type: 'countdown' });
  const countdown = [await alice.receiveMessage(WAIT_MS), await alice.receiveMessage(WAIT_MS), await alice.receiveMessage(WAIT_MS)];
  log(`alice sent countdown, an Observable handler answered three times: ${countdown.map(show).join(' ')}`);
  return { routed, fallback, countdown };
}

async function broadcasting(stage: Stage) {
  const { server, log } = stage;
  stage.section('2. Broadcasting');
  await stage.connect('bob');
  await stage.connect('carol');
  const allThree = await server.waitForClients(3, WAIT_MS);
  log(`waitForClients(3) → ${allThree}`);

  const update = { event: 'server_update', data: { status: 'processing', queue_length: 5 } };
  const notified = await server.broadcastNotification(update);
  log(`broadcastNotification reached ${notified} clients; the caller's object is untouched: ${show(update)}`);
  const notification = await everyoneReads(stage, ['alice', 'bob', 'carol']);

  const announced = await server.sendMessage({ type: 'announcement', message: 'Server maintenance in 5 minutes' });
  log(`sendMessage reached ${announced} clients`);
  const announcement = await everyoneReads(stage, ['alice', 'bob', 'carol']);
  return { allThree, notified, update, notification, announced, announcement };
}

async function clientManagement(stage: Stage) {
  const { server, log } = stage;
  stage.section('3. Client management');
  const connected = server.getConnectedClients();
  log(`getConnectedClients() → ${connected}`);
  const clients = server.getClients().map((info) => {
    log(`  ${stage.nameOf(info.id)}: ${info.remoteAddress ?? '?'}:${info.remotePort ?? '?'}, upgrade path ${info.request.url}`);
    return { name: stage.nameOf(info.id), remoteAddress: info.remoteAddress, path: info.request.url };
  });
  const lateSubscriberSaw = await firstValueFrom(server.clientCount$);
  log(`a late subscriber to clientCount$ gets the current count at once: ${lateSubscriberSaw}`);

  const fourWithin200ms = await server.waitForClients(4, 200);
  log(`waitForClients(4, 200) with 3 connected → ${fourWithin200ms} (timed out, never throws)`);
  const fourth = server.waitForClients(4, WAIT_MS);
  const dave = await stage.connect('dave');
  const fourOnceDaveCame = await fourth;
  log(`waitForClients(4) while dave connects → ${fourOnceDaveCame}`);

  const sentToBob = await server.sendTo(stage.idOf('bob'), { type: 'direct', text: 'only for bob' });
  log(`sendTo(bob) → ${sentToBob}`);
  const bobReceived = await stage.client('bob').receiveMessage(WAIT_MS);
  log(`  bob received ${show(bobReceived)}`);
  const sentToUnknown = await server.sendTo('no-such-client', { type: 'direct' });
  log(`sendTo(an unknown id) → ${sentToUnknown}`);

  const daveLeft = firstValueFrom(server.disconnections$);
  const daveState = lastValueFrom(dave.state$);
  const daveFailure = firstValueFrom(dave.errors$);
  const closedDave = server.closeClient(stage.idOf('dave'), 1000, 'demo is over for dave');
  log(`closeClient(dave, 1000, 'demo is over for dave') → ${closedDave}`);
  await daveLeft;
  const daveFinalState = await daveState;
  log(`dave's state$ ended in "${daveFinalState}": 1000 means "closed on purpose", so no reconnect`);
  const daveError = await daveFailure;
  log(`dave's errors$ said: ${describeError(daveError)}`);
  if (daveError instanceof ConnectionFailedError) log(`  instanceof ConnectionFailedError, closeCode ${daveError.closeCode ?? '?'}`);
  const closedDaveAgain = server.closeClient(stage.idOf('dave'));
  log(`closeClient(dave) again → ${closedDaveAgain} (already gone)`);
  await dave.stop();
  return { connected, clients, lateSubscriberSaw, fourWithin200ms, fourOnceDaveCame, sentToBob, bobReceived, sentToUnknown, closedDave, daveFinalState, daveError, closedDaveAgain };
}

async function directUse(stage: Stage) {
  const { server, log } = stage;
  stage.section('4. Direct transport use');
  const erinHandlerSaw: JsonObject[] = [];
  const erin = await stage.connect('erin', {
    // Runs for every incoming message, alongside messages$ and receiveMessage(): nothing is lost.
    messageHandler: (message) => {
      if (!isType('notification')(message)) return;
      erinHandlerSaw.push(message);
      log(`  [erin messageHandler] notification: ${show(message)}`);
    },
  });
  const erinNotifications = erin.messages$.pipe(filter(isType('notification')));
  const firstRequest = firstValueFrom(server.messages$.pipe(ofType('request')));

  await erin.sendMessage({ type: 'request', action: 'process_data', data: [1, 2, 3] });
  const { client: asker, message: request } = await firstRequest;
  const requestSeen = { from: stage.nameOf(asker.id), action: request['action'] };
  log(`  [server messages$.pipe(ofType('request'))] ${requestSeen.from} asked for ${String(requestSeen.action)}`);
  const reply = await erin.receiveMessage(WAIT_MS);
  log(`erin sent a request, receiveMessage() → ${show(reply)}`);

  const serverReceives = server.receiveMessage(WAIT_MS);
  await erin.sendMessage({ type: 'report', progress: 'halfway' });
  const received = await serverReceives;
  const serverReceived = { from: stage.nameOf(received.client.id), message: received.message };
  log(`server.receiveMessage() → ${show(serverReceived.message)} from ${serverReceived.from} (the 'report' handler returns nothing: no reply)`);

  const seenByStream = firstValueFrom(erinNotifications);
  await server.broadcastNotification({ event: 'progress', percent: 50 });
  const erinReceived = await erin.receiveMessage(WAIT_MS);
  log(`erin receiveMessage() → ${show(erinReceived)}`);
  const erinStreamSaw = await seenByStream;
  log(`erin messages$.pipe(filter(isType('notification'))) → ${show(erinStreamSaw)}`);
  // alice, bob and carol got the progress notification too; read it so their inboxes are empty again.
  await Promise.all(['alice', 'bob', 'carol'].map((name) => stage.client(name).receiveMessage(WAIT_MS)));
  return { requestSeen, reply, serverReceived, erinReceived, erinStreamSaw, erinHandlerSaw };
}

async function errorHandling(stage: Stage) {
  const { log } = stage;
  stage.section('5. Error handling');
  const mallory = await stage.rawSocket('mallory');
  const notJson = await rawExchange(mallory, 'this is not json');
  log(`mallory sent "this is not json", got ${show(notJson)}`);
  const notAnObject = await rawExchange(mallory, '[1, 2, 3]');
  log(`mallory sent "[1, 2, 3]", got ${show(notAnObject)}`);
  const binary = await rawExchange(mallory, Buffer.from([1, 2, 3]));
  log(`mallory sent a binary frame, got ${show(binary)}`);

  const alice = stage.client('alice');
  await alice.sendMessage({ type: 'crash' });
  const crashed = await alice.receiveMessage(WAIT_MS);
  log(`alice sent crash (the handler throws), got ${show(crashed)}`);
  await alice.sendMessage({ type: 'greeting', text: 'still there?' });
  const stillThere = await alice.receiveMessage(WAIT_MS);
  log(`alice's connection stayed open: ${show(stillThere)}`);

  const malloryClosed = once(mallory, 'close') as Promise<[number, Buffer]>;
  mallory.send(show({ blob: 'x'.repeat(100 * 1024) }));
  const [tooBigCloseCode] = await malloryClosed;
  log(`mallory sent 100 KiB (maxMessageSize is 64 KiB): closed with ${tooBigCloseCode}; the server keeps serving the others`);

  const lonely = new WebSocketClientTransport(stage.server.url ?? '');
  const sendBeforeStart = await rejection(lonely.sendMessage({ type: 'hello' }));
  log(`send before start() → ${describeError(sendBeforeStart)}; instanceof NotConnectedError: ${sendBeforeStart instanceof NotConnectedError}`);
  await lonely.stop();

  const receiveTimeout = await rejection(stage.client('erin').receiveMessage(100));
  log(`receiveMessage(100) with nothing coming → ${describeError(receiveTimeout)}; instanceof ReceiveTimeoutError: ${receiveTimeout instanceof ReceiveTimeoutError}`);
  return { replies: { notJson, notAnObject, binary }, crashed, stillThere, tooBigCloseCode, sendBeforeStart, receiveTimeout };
}

async function stopAndReconnect(stage: Stage) {
  const { server, log } = stage;
  stage.section('6. Graceful stop and automatic reconnection');
  await Promise.all(['alice', 'bob', 'carol', 'erin'].map((name) => stage.client(name).stop()));
  const port = server.address?.port ?? 0;
  const frank = await stage.connect('frank', {
    reconnect: { initialDelay: 50, maxDelay: 200, maxRetries: 50 },
    queue: { maxCount: 2 },
  });
  const frankStates: ClientState[] = [];
  frank.state$.subscribe((state) => {
    frankStates.push(state);
    log(`  [frank state$] ${state}`);
  });

  await server.stop(); // closes every client with 1001, waits for them, completes every stream
  log('server stopped');
  await firstValueFrom(frank.state$.pipe(filter((state) => state === 'reconnecting')));

  const firstQueued = frank.sendMessage({ type: 'report', seq: 1 });
  const secondQueued = frank.sendMessage({ type: 'report', seq: 2 });
  const queueFull = await rejection(frank.sendMessage({ type: 'report', seq: 3 }));
  log(`a third send while offline → ${describeError(queueFull)}; instanceof QueueFullError: ${queueFull instanceof QueueFullError}`);

  const restarted = stage.started(new WebSocketServerTransport({ host: HOST, port, messageHandler: handlers }));
  const arrived = firstValueFrom(restarted.messages$.pipe(take(2), toArray()));
  await restarted.start();
  log(`a new server listens on the same port ${port}`);
  await Promise.all([firstQueued, secondQueued]);
  const flushed = (await arrived).map(({ message }) => message);
  log(`frank reconnected by itself and flushed its queue in order: ${flushed.map(show).join(' then ')}`);

  await frank.stop();
  const sendAfterStop = await rejection(frank.sendMessage({ type: 'report', seq: 4 }));
  log(`send after stop() → ${describeError(sendAfterStop)}; instanceof TransportStoppedError: ${sendAfterStop instanceof TransportStoppedError}`);
  await restarted.stop();
  return { frankStates, queueFull, flushed, sendAfterStop };
}

// ---------------------------------------------------------------------------------------------
// Behind the scenes: the stage the tour plays on.
// ---------------------------------------------------------------------------------------------
/**
 * The tour's stage: the server, the people connected to it, and what its streams said. Server-side
 * client ids are random UUIDs; the tour names them after the people holding them.
 */
class Stage {
  readonly server = new WebSocketServerTransport({
    host: HOST,
    port: 0, // any free port; read the real one from server.url / server.address
    maxMessageSize: 64 * 1024, // small, so section 5 can show what an oversized message does
    messageHandler: handlers,
  });
  /** What the server's streams said along the way. */
  readonly seen = { departures: [] as { name: string; code: number; reason: string }[], errors: [] as { code: string; from: string; cause?: string }[] };
  private readonly names = new Map<string, string>();
  private readonly people = new Map<string, { client: WebSocketClientTransport; id: string }>();
  private readonly running: { stop(): Promise<void> }[] = [this.server];

  constructor(readonly log: Log) {
    this.server.clientCount$.subscribe((count) => log(`  [server clientCount$] ${count} connected`));
    this.server.disconnections$.subscribe(({ clientId, code, reason }) => {
      this.seen.departures.push({ name: this.nameOf(clientId), code, reason });
      log(`  [server disconnections$] ${this.nameOf(clientId)} left with close code ${code}${reason ? ` ("${reason}")` : ''}`);
    });
    this.server.errors$.subscribe(({ error, clientId }) => {
      const cause = error.cause instanceof Error ? error.cause.message : undefined;
      this.seen.errors.push({ code: error.code, from: this.nameOf(clientId), ...(cause === undefined ? {} : { cause }) });
      log(`  [server errors$] ${error.code} from ${this.nameOf(clientId)}${cause === undefined ? '' : ` (cause, server-side only: ${cause})`}`);
    });
  }

  section(title: string): void {
    this.log(`\n=== ${title} ===`);
  }

  nameOf(clientId: string | undefined): string {
    return clientId === undefined ? '-' : (this.names.get(clientId) ?? clientId);
  }

  /** Starts a client and learns which server-side connection is its own. */
  async connect(name: string, options: ClientTransportOptions = {}): Promise<WebSocketClientTransport> {
    const accepted = firstValueFrom(this.server.connections$);
    const client = this.started(new WebSocketClientTransport(this.server.url ?? '', options));
    await client.start();
    const { id } = await accepted;
    this.names.set(id, name);
    this.people.set(name, { client, id });
    return client;
  }

  client(name: string): WebSocketClientTransport {
    return this.person(name).client;
  }

  idOf(name: string): string {
    return this.person(name).id;
  }

  /** A plain ws socket, for sending what our client transport never would (bad JSON, binary). */
  async rawSocket(name: string): Promise<WebSocket> {
    const accepted = firstValueFrom(this.server.connections$);
    const socket = new WebSocket(this.server.url ?? '');
    await once(socket, 'open');
    this.names.set((await accepted).id, name);
    return socket;
  }

  /** Remembers something that runs, so that a tour failing halfway still stops it. */
  started<T extends { stop(): Promise<void> }>(thing: T): T {
    this.running.push(thing);
    return thing;
  }

  async stopEverything(): Promise<void> {
    await Promise.all(this.running.map((thing) => thing.stop()));
  }

  private person(name: string): { client: WebSocketClientTransport; id: string } {
    const person = this.people.get(name);
    if (!person) throw new Error(`${name} has not connected yet`);
    return person;
  }
}

/** Sends one frame on a plain socket and parses the reply. */
async function rawExchange(socket: WebSocket, data: string | Buffer): Promise<JsonObject> {
  const reply = once(socket, 'message') as Promise<[Buffer, boolean]>;
  socket.send(data);
  const [frame] = await reply;
  return JSON.parse(frame.toString('utf8')) as JsonObject;
}

/** Each of `names` reads its next message; what each got. */
async function everyoneReads(stage: Stage, names: string[]): Promise<Record<string, JsonObject>> {
  const got: Record<string, JsonObject> = {};
  for (const name of names) {
    got[name] = await stage.client(name).receiveMessage(WAIT_MS);
    stage.log(`  ${name} received ${show(got[name])}`);
  }
  return got;
}

// Run as a script (npx tsx examples/websocket-transport-demo.ts), not imported.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await tour();
}
