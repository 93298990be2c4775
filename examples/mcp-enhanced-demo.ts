/**
 * MCP over WebSocket, end to end: an MCPServer with several tools (one reporting progress, one with
 * structured output, one asking the user through the client), a resource, a resource template and
 * a prompt whose argument completes; a SimpleMCPClient that uses them all and answers the server's
 * question; and a tool added while running, whose list_changed reaches the client. Exits by itself.
 *
 *   npx tsx examples/mcp-enhanced-demo.ts
 *
 * `demo()` runs the same and returns what the client got and what the server's streams said
 * (spec/examples checks it).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { filter, firstValueFrom, timeout, timer } from 'rxjs';
import { described, MCPServer, SimpleMCPClient, ToolError, type Progress, type SessionEvent, type ToolCallEvent } from '../src/index.js';

type Log = (line: string) => void;

/** Runs the server and its client on 127.0.0.1, printing each step with `log`; returns what they saw. */
export async function demo(log: Log = console.log, port = 0) {
  const server = createServer(port);
  const serverSaw = watch(server, log);
  await server.start();
  log(`[server] listening on ${server.url ?? '?'}`);
  const client = new SimpleMCPClient({ url: server.url ?? '', clientInfo: { name: 'enhanced-demo-client', version: '1.0.0' }, requestTimeoutMs: 10_000 });
  // The server may ask the user something while a tool runs: this client answers for them.
  client.onElicitation((params) => {
    log(`[client] the server asks: ${params.message}`);
    return { action: 'accept', content: { minutes: 45 } };
  });
  try {
    const clientSaw = await useEverything(client, log);
    const afterChange = await addToolAtRuntime(server, client, log);

    const closed = firstValueFrom(server.sessions$.pipe(filter((event) => event.type === 'closed')));
    await client.disconnect();
    await closed;
    await server.stop();
    log('done: client disconnected, server stopped; exiting by itself');
    return { ...clientSaw, ...afterChange, server: serverSaw };
  } finally {
    // Done already when the demo got to its end; if it failed halfway, nothing is left running.
    await client.disconnect();
    await server.stop();
  }
}

/** What `demo()` saw: the values it printed. */
export type DemoReport = Awaited<ReturnType<typeof demo>>;

// ---- The server ----------------------------------------------------------------------------

function createServer(port: number): MCPServer {
  const server = new MCPServer({
    host: '127.0.0.1',
    port, // 0: any free port
    name: 'enhanced-demo',
    version: '1.0.0',
    instructions: 'Tools for arithmetic, weather and counting; notes as resources.',
    logger: false,
  });

  server.registerTool(
    'add',
    { description: 'Add two numbers', input: t.type({ a: described(t.number, 'first addend'), b: described(t.number, 'second addend') }) },
    ({ a, b }) => String(a + b),
  );

  server.registerTool(
    'count_down',
    { description: 'Counts down from n, reporting progress at each step', input: t.type({ from: t.Int }) },
    async ({ from }, ctx) => {
      for (let left: number = from; left > 0; left -= 1) {
        ctx.progress(from - left + 1, from, `${left}…`);
        await firstValueFrom(timer(20)); // the work this step stands for
        if (ctx.signal.aborted) throw new ToolError('count down interrupted');
      }
      return 'lift-off';
    },
  );

  const Weather = t.type({ city: t.string, celsius: t.number, sky: t.keyof({ clear: null, cloudy: null, rain: null }) });
  server.registerTool(
    'weather',
    { description: 'Current weather for a city (made up)', input: t.type({ city: t.string }), output: Weather, annotations: { readOnlyHint: true } },
    ({ city }) => {
      if (city.trim() === '') throw new ToolError('Which city?');
      return { city, celsius: 18 + (city.length % 10), sky: city.length % 2 === 0 ? ('clear' as const) : ('cloudy' as const) };
    },
  );

  server.registerTool('book_focus_time', { description: 'Books focus time, asking how long', input: t.type({}) }, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'How many minutes of focus time?',
      requestedSchema: { type: 'object', properties: { minutes: { type: 'integer', minimum: 15, maximum: 240, default: 50 } }, required: ['minutes'] },
    });
    return answer.action === 'accept' ? `Booked ${String(answer.content?.['minutes'])} minutes` : 'Nothing booked';
  });

  server.registerResource('notes://today', { name: 'today', description: "Today's notes", mimeType: 'text/plain' }, () => 'Ship the WebSocket transport.');
  server.registerResourceTemplate('notes://day/{date}', { name: 'notes by day', mimeType: 'text/plain' }, (_uri, { date }) => `Nothing planned on ${date ?? '?'}.`);

  server.registerPrompt(
    'plan_day',
    {
      description: 'Plans a day around a goal',
      args: t.intersection([t.type({ goal: t.string }), t.partial({ mood: t.string })]),
      complete: { mood: (typed) => ['calm', 'curious', 'focused'].filter((mood) => mood.startsWith(typed)) },
    },
    ({ goal, mood }) => `Plan my day so that I ${goal}${mood === undefined ? '' : `, feeling ${mood}`}.`,
  );
  return server;
}

/** The server's own account of what happened: every tool call and session, as they come. */
function watch(server: MCPServer, log: Log) {
  const toolCalls: Pick<ToolCallEvent, 'name' | 'outcome'>[] = [];
  const sessions: Pick<SessionEvent, 'type' | 'clientInfo' | 'protocolVersion'>[] = [];
  server.toolCalls$.subscribe(({ name, outcome, durationMs }) => {
    toolCalls.push({ name, outcome });
    log(`[server] tools/call ${name}: ${outcome} in ${Math.round(durationMs)} ms`);
  });
  server.sessions$.subscribe(({ type, clientInfo, protocolVersion }) => {
    sessions.push({ type, clientInfo, protocolVersion });
    log(`[server] session ${type}: ${clientInfo?.name ?? '?'} (${protocolVersion ?? '?'})`);
  });
  return { toolCalls, sessions };
}

// ---- The client ----------------------------------------------------------------------------

async function useEverything(client: SimpleMCPClient, log: Log) {
  const init = await client.connect();
  log(`[client] connected to ${init.serverInfo.name} ${init.serverInfo.version}, protocol ${init.protocolVersion}`);
  log(`[client] instructions: ${init.instructions ?? '(none)'}`);

  const tools = await client.listTools();
  log(`[client] tools: ${tools.map((tool) => tool.name).join(', ')}`);
  log(`[client] add's input schema: ${JSON.stringify(tools.find((tool) => tool.name === 'add')?.inputSchema)}`);

  const sum = await client.callTool('add', { a: 19, b: 23 });
  log(`[client] add(19, 23) → ${sum.content[0]?.type === 'text' ? sum.content[0].text : '?'}`);

  const invalid = await client.callTool('add', { a: 19, b: 'twenty-three' });
  log(`[client] add(19, "twenty-three") → isError=${String(invalid.isError)}: ${invalid.content[0]?.type === 'text' ? invalid.content[0].text : '?'}`);

  const progress: Progress[] = [];
  const countDown = await client.callTool('count_down', { from: 3 }, {
    onProgress: (update) => {
      progress.push(update);
      log(`[client] progress ${update.progress}/${update.total ?? '?'} ${update.message ?? ''}`);
    },
  });
  log(`[client] count_down(3) → ${countDown.content[0]?.type === 'text' ? countDown.content[0].text : '?'}`);

  const weather = await client.callTool('weather', { city: 'Lyon' });
  log(`[client] weather(Lyon) structuredContent → ${JSON.stringify(weather.structuredContent)}`);

  const resources = await client.listResources();
  log(`[client] resources: ${resources.map((resource) => resource.uri).join(', ')}`);
  const note = await client.readResource('notes://today');
  log(`[client] notes://today → ${JSON.stringify(note.contents)}`);
  const templated = await client.readResource('notes://day/2025-12-24');
  log(`[client] notes://day/2025-12-24 → ${JSON.stringify(templated.contents)}`);

  const moods = await client.complete({ type: 'ref/prompt', name: 'plan_day' }, { name: 'mood', value: 'c' });
  log(`[client] moods starting with "c": ${moods.values.join(', ')}`);
  const prompt = await client.getPrompt('plan_day', { goal: 'finish the docs', mood: 'calm' });
  log(`[client] plan_day → ${JSON.stringify(prompt.messages)}`);

  const booked = await client.callTool('book_focus_time');
  log(`[client] book_focus_time → ${booked.content[0]?.type === 'text' ? booked.content[0].text : '?'}`);
  return { init, tools, sum, invalid, progress, countDown, weather, resources, note, templated, moods, prompt, booked };
}

// ---- A tool added at runtime ---------------------------------------------------------------

async function addToolAtRuntime(server: MCPServer, client: SimpleMCPClient, log: Log) {
  const changed = firstValueFrom(client.notificationsOf('notifications/tools/list_changed').pipe(timeout(5_000)));
  server.registerTool('roll_dice', { description: 'Rolls n six-sided dice (added at runtime)', input: t.type({ n: t.Int }) }, ({ n }) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 6) + 1)),
  );
  const listChanged = await changed;
  log(`[client] got ${listChanged.method}`);
  const toolsNow = await client.listTools();
  log(`[client] tools now: ${toolsNow.map((tool) => tool.name).join(', ')}`);
  const dice = await client.callTool('roll_dice', { n: 3 });
  log(`[client] roll_dice(3) → ${dice.content[0]?.type === 'text' ? dice.content[0].text : '?'}`);
  return { listChanged, toolsNow, dice };
}

// Run as a script (npx tsx examples/mcp-enhanced-demo.ts), not imported; PORT picks the port.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await demo(console.log, Number(process.env['PORT'] ?? 0));
}
