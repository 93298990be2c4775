/**
 * The MCP demo (examples/mcp-enhanced-demo.ts): what its client got and what its server saw, from
 * the report `demo()` returns; and that the script runs and exits by itself as the docs say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demo, type DemoReport } from '../../examples/mcp-enhanced-demo.js';
import { RUN_LIMIT_MS, runExample } from '../support/run-example.js';

const text = (value: string) => ({ content: [{ type: 'text', text: value }] });

describe('examples/mcp-enhanced-demo.ts', () => {
  let report: DemoReport;

  beforeAll(async () => {
    report = await demo(() => undefined);
  }, RUN_LIMIT_MS);

  it('connects with the handshake and lists the tools with their JSON Schemas', () => {
    expect(report.init).toEqual({
      protocolVersion: '2025-11-25',
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
      serverInfo: { name: 'enhanced-demo', version: '1.0.0' },
      instructions: 'Tools for arithmetic, weather and counting; notes as resources.',
    });
    expect(report.tools.map((tool) => tool.name)).toEqual(['add', 'book_focus_time', 'count_down', 'weather']);
    expect(report.tools.find((tool) => tool.name === 'add')?.inputSchema).toEqual({
      type: 'object',
      properties: { a: { type: 'number', description: 'first addend' }, b: { type: 'number', description: 'second addend' } },
      required: ['a', 'b'],
    });
  });

  it('calls tools: a result, an isError result for bad arguments, progress in order, structured output', () => {
    expect(report.sum).toEqual(text('42'));
    expect(report.invalid).toEqual({ ...text('Invalid arguments for tool "add": arguments.b: expected a number, got "twenty-three"'), isError: true });
    expect(report.progress).toEqual([
      { progress: 1, total: 3, message: '3…' },
      { progress: 2, total: 3, message: '2…' },
      { progress: 3, total: 3, message: '1…' },
    ]);
    expect(report.countDown).toEqual(text('lift-off'));
    expect(report.weather.structuredContent).toEqual({ city: 'Lyon', celsius: 22, sky: 'clear' });
  });

  it('completes a prompt argument, and answers the question a tool asks through the client', () => {
    expect(report.moods).toEqual({ values: ['calm', 'curious'], total: 2, hasMore: false });
    expect(report.booked).toEqual(text('Booked 45 minutes'));
  });

  it('reads a resource, a templated resource and a prompt', () => {
    expect(report.resources).toEqual([{ uri: 'notes://today', name: 'today', description: "Today's notes", mimeType: 'text/plain' }]);
    expect(report.note.contents).toEqual([{ uri: 'notes://today', mimeType: 'text/plain', text: 'Ship the WebSocket transport.' }]);
    expect(report.templated.contents).toEqual([{ uri: 'notes://day/2025-12-24', mimeType: 'text/plain', text: 'Nothing planned on 2025-12-24.' }]);
    expect(report.prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Plan my day so that I finish the docs, feeling calm.' } }]);
  });

  it('announces a tool added at runtime, which the client then lists and calls', () => {
    expect(report.listChanged).toMatchObject({ method: 'notifications/tools/list_changed' });
    expect(report.toolsNow.map((tool) => tool.name)).toEqual(['add', 'book_focus_time', 'count_down', 'roll_dice', 'weather']);
    expect(report.dice).toEqual(text('[4,5,6]'));
  });

  it("the server's streams saw each call's outcome and the session open and close", () => {
    expect(report.server.toolCalls).toEqual([
      { name: 'add', outcome: 'ok' },
      { name: 'add', outcome: 'invalid_arguments' },
      { name: 'count_down', outcome: 'ok' },
      { name: 'weather', outcome: 'ok' },
      { name: 'book_focus_time', outcome: 'ok' },
      { name: 'roll_dice', outcome: 'ok' },
    ]);
    const client = { name: 'enhanced-demo-client', version: '1.0.0' };
    expect(report.server.sessions).toEqual([
      { type: 'opened', clientInfo: client, protocolVersion: '2025-11-25' },
      { type: 'closed', clientInfo: client, protocolVersion: '2025-11-25' },
    ]);
  });

  it(
    'runs as a script (node + tsx) and exits by itself with code 0',
    async () => {
      const run = await runExample('examples/mcp-enhanced-demo.ts');
      expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({ exitCode: 0, signal: null });
    },
    RUN_LIMIT_MS + 5_000,
  );
});
