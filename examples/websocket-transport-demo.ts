/**
 * A guided tour of the transport: one server, a handful of clients, the main scenarios of the user
 * guide (docs/transport.md) run for real on 127.0.0.1 and explained as they happen.
 *
 *   npx tsx examples/websocket-transport-demo.ts
 *
 * Sections: 1 custom message handler · 2 broadcasting · 3 client management · 4 direct transport
 * use · 5 error handling · 6 graceful stop and automatic reconnection. The program stops every
 * server and client it starts and exits by itself with code 0 (spec/examples runs it).
 */
import { once } from 'node:events';
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
  type ClientTransportOptions,
  type JsonObject,
} from '../src/index.js';

const HOST = '127.0.0.1';
const WAIT_MS = 5_000; // generous: a reply on loopback takes about a millisecond

const show = (value: unknown): string => JSON.stringify(value);
const section = (title: string): void => console.log(`\n=== ${title} ===`);
const describeError = (error: unknown): string =>
  error instanceof TransportError ? `${error.name} (code "${error.code}"): ${error.message}` : String(error);

/** Server-side client ids are random UUIDs; the tour names them after the people holding them. */
const names = new Map<string, string>();
const nameOf = (clientId: string | undefined): string => (clientId === undefined ? '-' : (names.get(clientId) ?? clientId));

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

const server = new WebSocketServerTransport({
  host: HOST,
  port: 0, // any free port; read the real one from server.url / server.address
  maxMessageSize: 64 * 1024, // small, so section 5 can show what an oversized message does
  messageHandler: handlers,
});

server.clientCount$.subscribe((count) => console.log(`  [server clientCount$] ${count} connected`));
server.disconnections$.subscribe(({ clientId, code, reason }) =>
  console.log(`  [server disconnections$] ${nameOf(clientId)} left with close code ${code}${reason ? ` ("${reason}")` : ''}`),
);
server.errors$.subscribe(({ error, clientId }) => {
  const cause = error.cause instanceof Error ? ` (cause, server-side only: ${error.cause.message})` : '';
  console.log(`  [server errors$] ${error.code} from ${nameOf(clientId)}${cause}`);
});

/** Starts a client and learns which server-side connection is its own. */
async function connect(
  name: string,
  options: ClientTransportOptions = {},
  url = server.url ?? '',
): Promise<{ client: WebSocketClientTransport; id: string }> {
  const accepted = firstValueFrom(server.connections$);
  const client = new WebSocketClientTransport(url, options);
  await client.start();
  const { id } = await accepted;
  names.set(id, name);
  return { client, id };
}

/** A plain ws socket, for sending what our client transport never would (bad JSON, binary). */
async function rawSocket(name: string): Promise<WebSocket> {
  const accepted = firstValueFrom(server.connections$);
  const socket = new WebSocket(server.url ?? '');
  await once(socket, 'open');
  names.set((await accepted).id, name);
  return socket;
}

async function rawExchange(socket: WebSocket, data: string | Buffer): Promise<string> {
  const reply = once(socket, 'message') as Promise<[Buffer, boolean]>;
  socket.send(data);
  const [frame] = await reply;
  return frame.toString('utf8');
}

await server.start();
console.log(`server listening on ${server.url ?? '?'}`);

// ---------------------------------------------------------------------------------------------
section('1. Custom message handler');
// ---------------------------------------------------------------------------------------------
const { client: alice } = await connect('alice');

await alice.sendMessage({ type: 'custom_command' });
console.log(`alice sent custom_command, got ${show(await alice.receiveMessage(WAIT_MS))}`);

await alice.sendMessage({ type: 'greeting', text: 'hello' });
console.log(`alice sent an unrouted greeting, the '*' fallback echoed ${show(await alice.receiveMessage(WAIT_MS))}`);

await alice.sendMessage({ type: 'countdown' });
const ticks = [await alice.receiveMessage(WAIT_MS), await alice.receiveMessage(WAIT_MS), await alice.receiveMessage(WAIT_MS)];
console.log(`alice sent countdown, an Observable handler answered three times: ${ticks.map(show).join(' ')}`);

// ---------------------------------------------------------------------------------------------
section('2. Broadcasting');
// ---------------------------------------------------------------------------------------------
const { client: bob, id: bobId } = await connect('bob');
const { client: carol } = await connect('carol');
console.log(`waitForClients(3) → ${await server.waitForClients(3, WAIT_MS)}`);

const update = { event: 'server_update', data: { status: 'processing', queue_length: 5 } };
const notified = await server.broadcastNotification(update);
console.log(`broadcastNotification reached ${notified} clients; the caller's object is untouched: ${show(update)}`);
for (const [name, client] of [['alice', alice], ['bob', bob], ['carol', carol]] as const) {
  console.log(`  ${name} received ${show(await client.receiveMessage(WAIT_MS))}`);
}

const announced = await server.sendMessage({ type: 'announcement', message: 'Server maintenance in 5 minutes' });
console.log(`sendMessage reached ${announced} clients`);
for (const [name, client] of [['alice', alice], ['bob', bob], ['carol', carol]] as const) {
  console.log(`  ${name} received ${show(await client.receiveMessage(WAIT_MS))}`);
}

// ---------------------------------------------------------------------------------------------
section('3. Client management');
// ---------------------------------------------------------------------------------------------
console.log(`getConnectedClients() → ${server.getConnectedClients()}`);
for (const info of server.getClients()) {
  console.log(`  ${nameOf(info.id)}: ${info.remoteAddress ?? '?'}:${info.remotePort ?? '?'}, upgrade path ${info.request.url}`);
}
console.log(`a late subscriber to clientCount$ gets the current count at once: ${await firstValueFrom(server.clientCount$)}`);

console.log(`waitForClients(4, 200) with 3 connected → ${await server.waitForClients(4, 200)} (timed out, never throws)`);
const fourth = server.waitForClients(4, WAIT_MS);
const { client: dave, id: daveId } = await connect('dave');
console.log(`waitForClients(4) while dave connects → ${await fourth}`);

console.log(`sendTo(bob) → ${await server.sendTo(bobId, { type: 'direct', text: 'only for bob' })}`);
console.log(`  bob received ${show(await bob.receiveMessage(WAIT_MS))}`);
console.log(`sendTo(an unknown id) → ${await server.sendTo('no-such-client', { type: 'direct' })}`);

const daveLeft = firstValueFrom(server.disconnections$);
const daveFinalState = lastValueFrom(dave.state$);
const daveFailure = firstValueFrom(dave.errors$);
console.log(`closeClient(dave, 1000, 'demo is over for dave') → ${server.closeClient(daveId, 1000, 'demo is over for dave')}`);
await daveLeft;
console.log(`dave's state$ ended in "${await daveFinalState}": 1000 means "closed on purpose", so no reconnect`);
const failure = await daveFailure;
console.log(`dave's errors$ said: ${describeError(failure)}`);
if (failure instanceof ConnectionFailedError) console.log(`  instanceof ConnectionFailedError, closeCode ${failure.closeCode ?? '?'}`);
console.log(`closeClient(dave) again → ${server.closeClient(daveId)} (already gone)`);
await dave.stop();

// ---------------------------------------------------------------------------------------------
section('4. Direct transport use');
// ---------------------------------------------------------------------------------------------
const { client: erin } = await connect('erin', {
  // Runs for every incoming message, alongside messages$ and receiveMessage(): nothing is lost.
  messageHandler: (message) => {
    if (isType('notification')(message)) console.log(`  [erin messageHandler] notification: ${show(message)}`);
  },
});
const erinNotifications = erin.messages$.pipe(filter(isType('notification')));
const requests = server.messages$.pipe(ofType('request'));
requests.pipe(take(1)).subscribe(({ client, message }) =>
  console.log(`  [server messages$.pipe(ofType('request'))] ${nameOf(client.id)} asked for ${String(message['action'])}`),
);

await erin.sendMessage({ type: 'request', action: 'process_data', data: [1, 2, 3] });
console.log(`erin sent a request, receiveMessage() → ${show(await erin.receiveMessage(WAIT_MS))}`);

const serverReceives = server.receiveMessage(WAIT_MS);
await erin.sendMessage({ type: 'report', progress: 'halfway' });
const received = await serverReceives;
console.log(`server.receiveMessage() → ${show(received.message)} from ${nameOf(received.client.id)} (the 'report' handler returns nothing: no reply)`);

const seenByStream = firstValueFrom(erinNotifications);
await server.broadcastNotification({ event: 'progress', percent: 50 });
console.log(`erin receiveMessage() → ${show(await erin.receiveMessage(WAIT_MS))}`);
console.log(`erin messages$.pipe(filter(isType('notification'))) → ${show(await seenByStream)}`);
// alice, bob and carol got the progress notification too; read it so their inboxes are empty again.
await Promise.all([alice.receiveMessage(WAIT_MS), bob.receiveMessage(WAIT_MS), carol.receiveMessage(WAIT_MS)]);

// ---------------------------------------------------------------------------------------------
section('5. Error handling');
// ---------------------------------------------------------------------------------------------
const mallory = await rawSocket('mallory');
console.log(`mallory sent "this is not json", got ${await rawExchange(mallory, 'this is not json')}`);
console.log(`mallory sent "[1, 2, 3]", got ${await rawExchange(mallory, '[1, 2, 3]')}`);
console.log(`mallory sent a binary frame, got ${await rawExchange(mallory, Buffer.from([1, 2, 3]))}`);

await alice.sendMessage({ type: 'crash' });
console.log(`alice sent crash (the handler throws), got ${show(await alice.receiveMessage(WAIT_MS))}`);
await alice.sendMessage({ type: 'greeting', text: 'still there?' });
console.log(`alice's connection stayed open: ${show(await alice.receiveMessage(WAIT_MS))}`);

const malloryClosed = once(mallory, 'close') as Promise<[number, Buffer]>;
mallory.send(show({ blob: 'x'.repeat(100 * 1024) }));
const [tooBigCode] = await malloryClosed;
console.log(`mallory sent 100 KiB (maxMessageSize is 64 KiB): closed with ${tooBigCode}; the server keeps serving the others`);

const lonely = new WebSocketClientTransport(server.url ?? '');
try {
  await lonely.sendMessage({ type: 'hello' });
} catch (error) {
  console.log(`send before start() → ${describeError(error)}; instanceof NotConnectedError: ${error instanceof NotConnectedError}`);
}
await lonely.stop();

try {
  await erin.receiveMessage(100);
} catch (error) {
  console.log(`receiveMessage(100) with nothing coming → ${describeError(error)}; instanceof ReceiveTimeoutError: ${error instanceof ReceiveTimeoutError}`);
}

// ---------------------------------------------------------------------------------------------
section('6. Graceful stop and automatic reconnection');
// ---------------------------------------------------------------------------------------------
await Promise.all([alice.stop(), bob.stop(), carol.stop(), erin.stop()]);
const port = server.address?.port ?? 0;
const { client: frank } = await connect('frank', {
  reconnect: { initialDelay: 50, maxDelay: 200, maxRetries: 50 },
  queue: { maxCount: 2 },
});
frank.state$.subscribe((state) => console.log(`  [frank state$] ${state}`));

await server.stop(); // closes every client with 1001, waits for them, completes every stream
console.log('server stopped');
await firstValueFrom(frank.state$.pipe(filter((state) => state === 'reconnecting')));

const firstQueued = frank.sendMessage({ type: 'report', seq: 1 });
const secondQueued = frank.sendMessage({ type: 'report', seq: 2 });
try {
  await frank.sendMessage({ type: 'report', seq: 3 });
} catch (error) {
  console.log(`a third send while offline → ${describeError(error)}; instanceof QueueFullError: ${error instanceof QueueFullError}`);
}

const restarted = new WebSocketServerTransport({ host: HOST, port, messageHandler: handlers });
const arrived = firstValueFrom(restarted.messages$.pipe(take(2), toArray()));
await restarted.start();
console.log(`a new server listens on the same port ${port}`);
await Promise.all([firstQueued, secondQueued]);
console.log(`frank reconnected by itself and flushed its queue in order: ${(await arrived).map(({ message }) => show(message)).join(' then ')}`);

await frank.stop();
try {
  await frank.sendMessage({ type: 'report', seq: 4 });
} catch (error) {
  console.log(`send after stop() → ${describeError(error)}; instanceof TransportStoppedError: ${error instanceof TransportStoppedError}`);
}
await restarted.stop();

console.log('\nall servers and clients stopped; exiting by itself');
